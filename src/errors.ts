/**
 * The closed set of error codes a client can see in `extensions.code`. Every code is
 * documented in the README's error table; test/readme.test.ts fails when one is not.
 */
import { GraphQLError } from 'graphql';

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
export type SystemName = 'crm' | 'billing' | 'chat';

export interface GatewayErrorOptions {
  /** Which upstream system the error is about, when it is about one. */
  service?: SystemName;
  /** Seconds until a retry may succeed (RATE_LIMITED). */
  retryAfter?: number;
  /** HTTP status of the upstream response, when there was one (kept for logs and metrics, not shown). */
  upstreamStatus?: number;
  /** Invalid fields, for BAD_USER_INPUT. */
  fields?: Record<string, string>;
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

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.service = options.service;
    this.retryAfter = options.retryAfter;
    this.upstreamStatus = options.upstreamStatus;
    this.fields = options.fields;
  }

  /** The `extensions` a client sees. */
  get extensions(): Record<string, unknown> {
    const ext: Record<string, unknown> = { code: this.code };
    if (this.service) ext.service = this.service;
    if (this.retryAfter !== undefined) ext.retryAfter = this.retryAfter;
    if (this.fields) ext.fields = this.fields;
    return ext;
  }

  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, { extensions: this.extensions, originalError: this });
  }
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}
