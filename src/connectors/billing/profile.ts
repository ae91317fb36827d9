/**
 * What the shared upstream layer needs to know about Stripe: bearer auth with the secret
 * key, the pinned API version, and how Stripe's `{ error: { type, code, param, message } }`
 * bodies map onto Switchboard's error codes.
 *
 * Messages are built from Stripe's machine-readable `code`/`param`, filtered to plain
 * tokens, never from `error.message`: that text can echo request values and, on a 401,
 * a masked form of the key.
 */
import { GatewayError } from '../../errors.ts';
import type { UpstreamResponse, VendorProfile } from '../../upstream/types.ts';

/** Pinned because the 2025-03-31 "basil" release moved fields the connector reads (UPSTREAMS.md §0). */
export const STRIPE_API_VERSION = '2023-08-16';

interface StripeErrorBody {
  type?: string;
  code?: string;
  param?: string;
  message?: string;
}

function stripeError(body: unknown): StripeErrorBody {
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const pick = (key: keyof StripeErrorBody) => {
    const value = (error as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  };
  return { type: pick('type'), code: pick('code'), param: pick('param'), message: pick('message') };
}

// Codes and params are short identifiers from Stripe's catalogue; anything else is dropped.
const safeCode = (value: string | undefined) => (value && /^[a-z][a-z0-9_]{0,63}$/.test(value) ? value : undefined);
const safeParam = (value: string | undefined) => (value && /^[A-Za-z][A-Za-z0-9_.[\]]{0,79}$/.test(value) ? value : undefined);
const words = (code: string) => code.replace(/_/g, ' ');

/**
 * The kind of object a `resource_missing` error is about. Stripe's message reads
 * "No such customer: 'cus_…'"; only the noun is kept, and only when it is a plain word.
 */
function missingResource(error: StripeErrorBody): string {
  const param = safeParam(error.param);
  if (param && param !== 'id') return param.replace(/[[\].]+/g, ' ').trim();
  const noun = /^No such ([a-z_ ]{1,40}?)\s*:/i.exec(error.message ?? '')?.[1];
  return noun ? noun.toLowerCase() : 'object';
}

function badInput(response: UpstreamResponse, error: StripeErrorBody): GatewayError {
  const code = safeCode(error.code) ?? safeCode(error.type) ?? 'invalid_request';
  const param = safeParam(error.param);
  const reason = words(code);
  return new GatewayError('BAD_USER_INPUT', param ? `Stripe rejected the request: ${reason} (${param})` : `Stripe rejected the request: ${reason}`, {
    service: 'billing',
    upstreamStatus: response.status,
    ...(param ? { fields: { [param]: reason } } : {}),
  });
}

export function classifyStripeResponse(response: UpstreamResponse): GatewayError | null {
  const { status } = response;
  if (status >= 200 && status < 300) return null;
  const error = stripeError(response.body);
  const options = { service: 'billing' as const, upstreamStatus: status };

  if (status === 404 || error.code === 'resource_missing') {
    return new GatewayError('NOT_FOUND', `Stripe has no such ${missingResource(error)}`, options);
  }
  if (status === 401) return new GatewayError('UPSTREAM_AUTH_FAILED', 'Stripe rejected the configured API key', options);
  if (status === 403) return new GatewayError('UPSTREAM_AUTH_FAILED', 'The configured Stripe key lacks permission for this request', options);
  if (status === 409) {
    const code = safeCode(error.code);
    return new GatewayError('UPSTREAM_CONFLICT', code ? `Stripe refused the request: ${words(code)}` : 'Stripe refused the request as a conflict', options);
  }
  if (status === 429) {
    // lock_timeout is Stripe's answer to concurrent writes on one object, not a quota.
    const message = error.code === 'lock_timeout' ? 'Stripe is busy with this object; retry shortly' : 'Stripe rate limit reached';
    return new GatewayError('RATE_LIMITED', message, options);
  }
  if (status >= 500 || status === 424) return new GatewayError('UPSTREAM_UNAVAILABLE', 'Stripe is unavailable', options);
  // 400 invalid_request_error / idempotency_error, 402 card errors, and other 4xx.
  return badInput(response, error);
}

/**
 * Stripe documents no Retry-After (its SDKs back off with jitter), so undefined — the
 * shared backoff — is the normal answer; a Retry-After a proxy or a future Stripe adds is
 * honoured, in seconds or as an HTTP date.
 */
export function stripeRetryAfterMs(response: UpstreamResponse): number | undefined {
  const header = response.headers['retry-after'];
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export const stripeProfile: VendorProfile = {
  system: 'billing',
  authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  defaultHeaders: { 'stripe-version': STRIPE_API_VERSION },
  classify: classifyStripeResponse,
  retryAfterMs: stripeRetryAfterMs,
};
