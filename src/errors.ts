/**
 * Errors in one place: the closed set of codes a client can see in `extensions.code`, the
 * HTTP status each answers with, and the one conversion of any error into the GraphQLError
 * a client sees (`toClientError`). Every code and its status are in the README's error
 * table; test/readme.test.ts fails when one is missing or differs.
 */
import { GraphQLError } from 'graphql';
import type { SystemName } from './systems/facts.ts';

export const ERROR_CODES = {
  BAD_USER_INPUT: 'An argument or input value is invalid; `extensions.fields` names each bad field.',
  NOT_FOUND: 'The record does not exist in the system of record (or is archived).',
  UNAUTHENTICATED: 'No valid credential was presented.',
  FORBIDDEN: 'The caller lacks the scope this field or operation needs.',
  UPSTREAM_UNAVAILABLE:
    'The upstream system refused the connection or answered 5xx, its circuit breaker is open, or (at once, nothing sent) the gateway already has as many calls to it in flight and waiting as its bulkhead allows.',
  UPSTREAM_TIMEOUT: 'The upstream system did not answer within the per-attempt timeout or the request deadline.',
  UPSTREAM_BAD_RESPONSE: 'The upstream answered with a body that does not have the shape the connector relies on.',
  UPSTREAM_AUTH_FAILED: 'The upstream rejected the credential Switchboard is configured with (fix the configuration).',
  UPSTREAM_FORBIDDEN:
    "The upstream accepts the gateway's credential but does not let it reach this record (e.g. the Slack bot is not a member of the channel: invite it).",
  UPSTREAM_CONFLICT: 'The upstream refused the write because it conflicts with existing data (e.g. a duplicate email).',
  RATE_LIMITED:
    "The upstream quota is spent, or (HTTP 429 with Retry-After) the caller's own per-minute limit; `extensions.retryAfter` says when to try again (seconds).",
  OVERLOADED:
    'The gateway is at its limit of operations in flight and waiting (HTTP 503 with Retry-After), or the operation waited for a slot past its deadline; nothing was sent upstream.',
  WRITE_OUTCOME_UNKNOWN: 'A write was sent but its outcome is unknown; retry with the same idempotency key.',
  CLIENT_CLOSED_REQUEST:
    'The client closed the connection before the answer was ready; no client receives it: it names the cancelled upstream calls in logs and traces.',
  DEAL_ALREADY_WON: 'winDeal refused: the deal is already closed-won, so it is not billed again, whatever the key; nothing was written.',
  WRITE_IN_PROGRESS: 'A write on the same subject (deal) is running, or awaits its own key to settle an unknown outcome; nothing written.',
  BAD_REQUEST:
    'The HTTP request is not a GraphQL request the gateway accepts: malformed JSON, an unsupported content type or method, or (403) a GET or form POST without a CSRF header.',
  REQUEST_ENTITY_TOO_LARGE: 'The request body exceeds LIMIT_MAX_BODY_BYTES (HTTP 413).',
  PERSISTED_QUERY_NOT_FOUND: 'Trusted-documents mode: the request sent query text, or a document id that is not in the manifest.',
  GRAPHQL_PARSE_FAILED: 'The document is not valid GraphQL syntax.',
  GRAPHQL_VALIDATION_FAILED: 'The document does not validate against the schema.',
  INTERNAL_SERVER_ERROR: 'An unexpected error; details are in the server log under the request ID, never in the response.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The HTTP status of a response a code refuses as a whole, before anything executes (Yoga
 * answers with the highest status among the errors' `extensions.http`). An error raised at a
 * field while executing never sets one: the response is 200 and carries what did resolve, so
 * a code only ever raised at a field is listed with 200. Statuses Yoga sets itself (parse and
 * validation 400, body size 413, malformed JSON 400) are listed as Yoga answers them.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  // Variables of the wrong type; at a field (`first` above 100): 200.
  BAD_USER_INPUT: 400,
  NOT_FOUND: 200,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 200,
  UPSTREAM_UNAVAILABLE: 200,
  UPSTREAM_TIMEOUT: 200,
  UPSTREAM_BAD_RESPONSE: 200,
  UPSTREAM_AUTH_FAILED: 200,
  UPSTREAM_FORBIDDEN: 200,
  UPSTREAM_CONFLICT: 200,
  // The caller's own per-minute limit; a vendor's quota, at a field: 200.
  RATE_LIMITED: 429,
  OVERLOADED: 503,
  WRITE_OUTCOME_UNKNOWN: 200,
  CLIENT_CLOSED_REQUEST: 200,
  DEAL_ALREADY_WON: 200,
  WRITE_IN_PROGRESS: 200,
  // Also UNSUPPORTED_MEDIA_TYPE (below), and 403 from Yoga's CSRF check.
  BAD_REQUEST: 400,
  REQUEST_ENTITY_TOO_LARGE: 413,
  PERSISTED_QUERY_NOT_FOUND: 400,
  // Parse and validation failures answer 200 to an `application/json` client (GraphQL over HTTP).
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  // Masked errors carry no status of their own: Yoga answers them 200, at a field or not.
  INTERNAL_SERVER_ERROR: 200,
};

/** BAD_REQUEST's status for a POST whose content type no request parser accepts. */
export const UNSUPPORTED_MEDIA_TYPE = 415;
/** The registered systems' names, from the catalog of their facts. */
export type { SystemName };

export interface GatewayErrorOptions {
  /** Which upstream system the error is about, when it is about one. */
  service?: SystemName;
  /** Seconds until a retry may succeed (RATE_LIMITED). */
  retryAfter?: number;
  /** HTTP status of the upstream response, when there was one (kept for logs and metrics, not shown). */
  upstreamStatus?: number;
  /** Invalid fields, for BAD_USER_INPUT. */
  fields?: Record<string, string>;
  /** The write this error answers was applied upstream (only what followed it failed): the caller must not send it again. */
  writeApplied?: boolean;
  /** A write reached the wire and its connection was lost before the answer: it may have been applied (not shown; the write path answers WRITE_OUTCOME_UNKNOWN). */
  sent?: boolean;
  cause?: unknown;
}

/**
 * An error whose message is safe to show a client. Upstream bodies, credentials and stack
 * traces never go into `message` or `extensions`; put them in the log instead.
 */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly service: SystemName | undefined;
  readonly retryAfter: number | undefined;
  readonly upstreamStatus: number | undefined;
  readonly fields: Record<string, string> | undefined;
  readonly writeApplied: boolean;
  readonly sent: boolean;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.service = options.service;
    this.retryAfter = options.retryAfter;
    this.upstreamStatus = options.upstreamStatus;
    this.fields = options.fields;
    this.writeApplied = options.writeApplied === true;
    this.sent = options.sent === true;
  }

  /** The `extensions` a client sees. */
  get extensions(): Record<string, unknown> {
    const ext: Record<string, unknown> = { code: this.code };
    if (this.service) ext.service = this.service;
    if (this.retryAfter !== undefined) ext.retryAfter = this.retryAfter;
    if (this.fields) ext.fields = this.fields;
    if (this.writeApplied) ext.writeApplied = true;
    return ext;
  }

  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, { extensions: this.extensions, originalError: this });
  }
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}

/** Codes of failures of a moment (a vendor down or slow, its quota spent): worth trying again shortly. */
export const PASSING_CODES: ReadonlySet<string> = new Set([
  'RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BAD_RESPONSE',
]);

/**
 * Runs `step`, again after each of `delaysMs` while it fails for a passing reason (a vendor's
 * `retryAfter`, up to `maxWaitMs`, lengthens a wait); the last failure is thrown as it came.
 * For steps that must not be given up lightly and are safe to repeat (an undo, a read-back).
 */
export async function retryPassingFailures<R>(step: () => Promise<R>, delaysMs: readonly number[], maxWaitMs: number): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!isGatewayError(error) || !PASSING_CODES.has(error.code) || attempt >= delaysMs.length) throw error;
      const waitMs = Math.max(delaysMs[attempt], Math.min(maxWaitMs, (error.retryAfter ?? 0) * 1000));
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** The `extensions.http` of an error that refuses a whole request: its code's status and the headers the code implies. */
export function httpOf(
  code: ErrorCode,
  retryAfter?: number,
  status: number = HTTP_STATUS[code],
): { status: number; headers?: Record<string, string> } {
  if (code === 'UNAUTHENTICATED') return { status, headers: { 'www-authenticate': 'Bearer' } };
  if (retryAfter !== undefined) return { status, headers: { 'retry-after': String(retryAfter) } };
  return { status };
}

export interface ClientErrorOptions {
  /** The error refuses the whole request before anything executes: it carries its code's HTTP status and headers. */
  refusesRequest?: boolean;
  /** Overrides the code's status (a code that covers several refusals, e.g. BAD_REQUEST's UNSUPPORTED_MEDIA_TYPE). */
  status?: number;
  /** What an error that is not safe to show says instead (Yoga's masking passes its own). */
  message?: string;
}

/**
 * The one conversion of any error into the GraphQLError a client sees:
 * - a GatewayError: its safe message and extensions (code, service, retryAfter, fields), and
 *   `http` when it refuses the request; never its cause, so nothing upstream leaks;
 * - a GraphQLError with a documented code, or one graphql-js or Yoga raised about the
 *   document itself (no original error, no path): the same object;
 * - variable coercion ("$n got invalid value"), which wraps the scalar's own error: the
 *   caller's input, BAD_USER_INPUT;
 * - anything else: INTERNAL_SERVER_ERROR with a generic message; the original is kept for
 *   the request log (`maskedCauseOf`), so stack traces, upstream bodies and secrets never
 *   reach a client.
 */
export function toClientError(error: unknown, options: ClientErrorOptions = {}): GraphQLError {
  if (isGatewayError(error)) {
    const extensions = options.refusesRequest
      ? { ...error.extensions, http: httpOf(error.code, error.retryAfter, options.status) }
      : error.extensions;
    return new GraphQLError(error.message, { extensions });
  }
  if (error instanceof GraphQLError) {
    const code = error.extensions?.code;
    // The same object, not a copy: Yoga logs every error its masking replaced.
    if (typeof code === 'string' && code in ERROR_CODES) return error;
    if (!error.originalError && !error.path) return error;
    if (!error.path && error.originalError instanceof GraphQLError && !code) {
      return new GraphQLError(error.message, {
        nodes: error.nodes,
        extensions: { code: 'BAD_USER_INPUT', http: { status: HTTP_STATUS.BAD_USER_INPUT } },
      });
    }
  }
  const path = error instanceof GraphQLError ? error.path : undefined;
  const masked = new GraphQLError(options.message ?? 'Unexpected error.', { path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  rememberMaskedCause(masked, error);
  return masked;
}

/** A refusal of the whole request, with the status and headers its code implies. */
export function refusal(code: ErrorCode, message: string, options: GatewayErrorOptions & { status?: number } = {}): GraphQLError {
  return toClientError(new GatewayError(code, message, options), { refusesRequest: true, status: options.status });
}

/** Yoga's `maskedErrors.maskError`, which Yoga calls on each error of a result and on each error thrown outside execution. */
export function maskError(error: unknown, message: string): Error {
  return toClientError(error, { message });
}

/**
 * The code a client sees on an error raised outside execution (request parsing, CSRF,
 * validation), which the masking never named: Yoga's CSRF check throws without one, and Yoga
 * names some request errors with codes of its own (OPERATION_RESOLUTION_FAILURE for an
 * operationName the document lacks) — the caller's request is at fault, and a client only ever
 * sees documented codes. INTERNAL_SERVER_ERROR is kept for what is a gateway bug.
 */
export function requestErrorCode(error: GraphQLError): string {
  const code = error.extensions?.code;
  if (typeof code !== 'string') return /CSRF/.test(error.message) ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR';
  if (!(code in ERROR_CODES) && !error.path) return 'BAD_REQUEST';
  return code;
}

// The errors the masking replaced, by the masked error the client sees: the request log keeps the original.
const maskedCauses = new WeakMap<GraphQLError, unknown>();

export function rememberMaskedCause(masked: GraphQLError, cause: unknown): void {
  maskedCauses.set(masked, cause);
}

/** The original error a masked INTERNAL_SERVER_ERROR replaced, if it is one. */
export function maskedCauseOf(error: GraphQLError): unknown {
  return maskedCauses.get(error);
}
