/**
 * Stripe's error body, `{ error: { type, code?, param?, message, doc_url? } }`, and the HTTP
 * statuses Stripe pairs with each kind. Handlers throw `StripeError`; the route wrapper turns
 * it into a response. `stage: 'validation'` marks failures Stripe detects before the endpoint
 * starts executing — those are not stored under an Idempotency-Key (docs.stripe.com/api/idempotent_requests).
 */
import type { SandboxResponse } from '../http.ts';

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  code?: string;
  param?: string;
  message: string;
  doc_url?: string;
  [extra: string]: unknown;
}

export class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly stage: 'validation' | 'execution' = 'execution',
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }

  toResponse(): SandboxResponse {
    return { status: this.status, headers: { ...this.headers }, body: { error: this.body } };
  }
}

/** Stripe links every coded error to its page, e.g. `resource_missing` → `.../resource-missing`. */
export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

function coded(
  status: number,
  code: string | null,
  message: string,
  param: string | undefined,
  stage: 'validation' | 'execution',
): StripeError {
  const body: StripeErrorBody = code
    ? { type: 'invalid_request_error', code, doc_url: docUrl(code), message }
    : { type: 'invalid_request_error', message };
  if (param !== undefined) body.param = param;
  return new StripeError(status, body, stage);
}

/** 404 `resource_missing`, e.g. "No such customer: 'cus_123'". */
export function resourceMissing(noun: string, id: string, param = 'id'): StripeError {
  return coded(404, 'resource_missing', `No such ${noun}: '${id}'`, param, 'execution');
}

/** A referenced object (in the body, not the path) does not exist: Stripe answers 400. */
export function referenceMissing(noun: string, id: string, param: string): StripeError {
  return coded(400, 'resource_missing', `No such ${noun}: '${id}'`, param, 'execution');
}

export function parameterMissing(param: string): StripeError {
  return coded(400, 'parameter_missing', `Missing required param: ${param}.`, param, 'validation');
}

export function parameterUnknown(param: string): StripeError {
  return coded(400, 'parameter_unknown', `Received unknown parameter: ${param}`, param, 'validation');
}

export function invalidInteger(param: string, value: string): StripeError {
  return coded(400, 'parameter_invalid_integer', `Invalid integer: ${value}`, param, 'validation');
}

/** A parameter with the wrong shape or value, without a more specific code. */
export function invalidParam(param: string, message: string): StripeError {
  return new StripeError(400, { type: 'invalid_request_error', param, message }, 'validation');
}

/** A request that is well-formed but not allowed in the object's current state (null: Stripe sends no code). */
export function stateError(code: string | null, message: string, param?: string): StripeError {
  return coded(400, code, message, param, 'execution');
}

export function apiError(message = 'An unknown error occurred'): StripeError {
  return new StripeError(500, { type: 'api_error', message });
}

export function rateLimitError(): StripeError {
  return new StripeError(429, {
    type: 'invalid_request_error',
    code: 'rate_limit',
    doc_url: docUrl('rate_limit'),
    message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
  });
}

/** Lock contention: Stripe's SDKs retry this one because the header says so. */
export function lockTimeoutError(id: string): StripeError {
  return new StripeError(
    429,
    {
      type: 'invalid_request_error',
      code: 'lock_timeout',
      doc_url: docUrl('lock_timeout'),
      message: `This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate. (Object: ${id})`,
    },
    'validation',
    { 'Stripe-Should-Retry': 'true' },
  );
}

export function authenticationError(apiKey: string | null): StripeError {
  const message =
    apiKey === null
      ? "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."
      : `Invalid API Key provided: ${maskKey(apiKey)}`;
  return new StripeError(401, { type: 'invalid_request_error', message }, 'validation', { 'WWW-Authenticate': 'Basic realm="Stripe"' });
}

/** Stripe echoes a bad key with all but its last four characters starred out. */
function maskKey(key: string): string {
  const underscore = key.lastIndexOf('_');
  const prefix = underscore >= 0 && underscore < 8 ? key.slice(0, underscore + 1) : '';
  const rest = key.slice(prefix.length);
  return prefix + '*'.repeat(Math.max(0, rest.length - 4)) + rest.slice(-4);
}
