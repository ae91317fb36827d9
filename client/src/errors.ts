/**
 * The errors a Switchboard gateway answers with, as values: every GraphQL error becomes a
 * `SwitchboardError` with its documented `code`, its `path`, the `service` it is about and,
 * when the gateway says when to come back, `retryAfter` (seconds). The set of codes is the
 * gateway's README "Errors" table (src/errors.ts there); the SDK's test fails when the two
 * differ.
 */

/** Every code the gateway documents, in the order of its README table. */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BAD_RESPONSE',
  'UPSTREAM_AUTH_FAILED',
  'UPSTREAM_FORBIDDEN',
  'UPSTREAM_CONFLICT',
  'RATE_LIMITED',
  'OVERLOADED',
  'WRITE_OUTCOME_UNKNOWN',
  'CLIENT_CLOSED_REQUEST',
  'DEAL_ALREADY_WON',
  'WRITE_IN_PROGRESS',
  'BAD_REQUEST',
  'REQUEST_ENTITY_TOO_LARGE',
  'PERSISTED_QUERY_NOT_FOUND',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'INTERNAL_SERVER_ERROR',
] as const;

/** A documented error code. */
export type KnownErrorCode = (typeof ERROR_CODES)[number];

/**
 * A documented code, or one a newer gateway added: kept open so that a new code does not break
 * a client built against an older gateway (switch on the known ones; treat the rest as failures).
 */
export type ErrorCode = KnownErrorCode | (string & {});

/** The systems behind the gateway, open for the same reason as the codes. */
export type Service = 'crm' | 'billing' | 'chat' | (string & {});

export interface SwitchboardError {
  code: ErrorCode;
  message: string;
  /** Where in `data` the error sits (list indexes included); absent for a refusal of the whole request. */
  path?: readonly (string | number)[];
  /** The upstream system the error is about. */
  service?: Service;
  /** Seconds until a retry may succeed (RATE_LIMITED, OVERLOADED). */
  retryAfter?: number;
  /** BAD_USER_INPUT: each invalid field and why. */
  fields?: Record<string, string>;
  /** The write was applied upstream and only what followed failed: read the record, do not send the write again. */
  writeApplied?: boolean;
  /** The error's extensions as the gateway sent them. */
  extensions: Record<string, unknown>;
}

export function isKnownErrorCode(code: string): code is KnownErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/**
 * The request could not be answered with a GraphQL response at all: the connection failed, or
 * the body was not GraphQL's JSON. (GraphQL errors are never thrown: they are in `errors`.)
 */
export class SwitchboardTransportError extends Error {
  /** The HTTP status, when a response arrived. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchboardTransportError';
    this.status = options.status;
  }
}

interface WireError {
  message?: unknown;
  path?: unknown;
  extensions?: Record<string, unknown>;
}

/** One GraphQL error off the wire, typed; `headerRetryAfter` is the response's Retry-After (seconds), if any. */
export function toSwitchboardError(wire: WireError, headerRetryAfter?: number): SwitchboardError {
  const extensions = wire.extensions ?? {};
  const error: SwitchboardError = {
    code: typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR',
    message: typeof wire.message === 'string' ? wire.message : 'Unknown error',
    extensions,
  };
  if (Array.isArray(wire.path)) error.path = wire.path as (string | number)[];
  if (typeof extensions.service === 'string') error.service = extensions.service;
  const retryAfter = typeof extensions.retryAfter === 'number' ? extensions.retryAfter : headerRetryAfter;
  if (retryAfter !== undefined) error.retryAfter = retryAfter;
  if (extensions.fields && typeof extensions.fields === 'object') error.fields = extensions.fields as Record<string, string>;
  if (extensions.writeApplied === true) error.writeApplied = true;
  return error;
}

/** Retry-After in seconds (RFC 9110: delay-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
