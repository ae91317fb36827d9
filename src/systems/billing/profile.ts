/**
 * What the shared upstream layer needs to know about Stripe: bearer auth with the secret
 * key, the pinned API version, and how Stripe's `{ error: { type, code, param, message } }`
 * bodies map onto Switchboard's error codes.
 *
 * Stripe's own reason (`error.message`, e.g. "Invoice is already paid") is what a caller
 * needs to act on a refused write, so a write's 4xx carries it, sanitized (control
 * characters and key-like tokens removed) and capped. A write's parameters are the
 * caller's own input, so an echo of them tells the caller nothing new. Reads keep messages
 * built from the machine-readable `code`/`param` only: their parameters are the gateway's
 * (search queries, link lookups), and a 401's message holds a masked form of the key.
 */
import { GatewayError } from '../../errors.ts';
import type { ApiVersionContract, UpstreamRequest, UpstreamResponse, VendorProfile } from '../../upstream/types.ts';

/**
 * Pinned because the 2025-03-31 "basil" release moved fields the connector reads (UPSTREAMS.md §0):
 * docs.stripe.com/changelog/basil/2025-03-31/adds-new-parent-field-to-invoicing-objects.
 */
export const STRIPE_API_VERSION = '2023-08-16';

/**
 * Every Stripe answer carries the `Stripe-Version` it was rendered in: the request's header,
 * else the account's default version. One in another version is refused (upstream/version.ts)
 * rather than read: a basil invoice has no `subscription` and no `charge`, and the schemas,
 * which allow both to be null, would read it as an invoice of no subscription. An answer
 * without the header (a proxy stripped it) is accepted; the schemas still check its shape.
 * Error bodies are not checked: `{ error: { type, code, param, message } }` is the same in
 * every version, and a 404 or 429 must stay what it is.
 */
export const stripeApiVersion: ApiVersionContract = {
  expected: STRIPE_API_VERSION,
  received: (response) => response.headers['stripe-version'] || undefined,
};

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

const NO_SUCH = /^No such [a-z_ ]{1,40}: '[A-Za-z0-9_-]{0,100}'$/;

/** Longest vendor reason passed through; Stripe's are one sentence, far shorter. */
export const MAX_VENDOR_MESSAGE = 300;

const KEY_LIKE = /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9*]+|\bwhsec_[A-Za-z0-9*]+|\bBearer\s+\S+/gi;

/** A vendor's human-readable reason made safe to show: one line, no key-like tokens, capped. */
export function sanitizeVendorMessage(text: string | undefined, max = MAX_VENDOR_MESSAGE): string | undefined {
  if (!text) return undefined;
  const clean = text
    // Control characters are what the one-line rule removes.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(KEY_LIKE, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  if (clean === '') return undefined;
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/**
 * The kind of object a `resource_missing` error is about. Stripe's message reads
 * "No such customer: 'cus_…'"; only the noun is kept, and only when it is a plain word.
 */
function missingResource(error: StripeErrorBody): string {
  const param = safeParam(error.param);
  // `items[0][price]` names a price: the last segment is the object's kind.
  const last = param
    ?.split(/[[\].]+/)
    .filter(Boolean)
    .at(-1);
  if (last && last !== 'id') return words(last);
  const noun = /^No such ([a-z_ ]{1,40}?)\s*:/i.exec(error.message ?? '')?.[1];
  return noun ? noun.toLowerCase() : 'object';
}

function badInput(response: UpstreamResponse, error: StripeErrorBody, vendorReason: string | undefined): GatewayError {
  const code = safeCode(error.code) ?? safeCode(error.type) ?? 'invalid_request';
  const param = safeParam(error.param);
  const reason = words(code);
  const message = vendorReason ?? (param ? `${reason} (${param})` : reason);
  return new GatewayError('BAD_USER_INPUT', `Stripe rejected the request: ${message}`, {
    service: 'billing',
    upstreamStatus: response.status,
    ...(param ? { fields: { [param]: reason } } : {}),
  });
}

export function classifyStripeResponse(response: UpstreamResponse, request?: Pick<UpstreamRequest, 'method'>): GatewayError | null {
  const { status } = response;
  if (status >= 200 && status < 300) return null;
  const error = stripeError(response.body);
  const options = { service: 'billing' as const, upstreamStatus: status };
  const write = request !== undefined && request.method !== 'GET';
  // "No such price: 'price_…'" names only the kind and the id that was asked for: safe on reads too.
  const missing = error.code === 'resource_missing' && NO_SUCH.test(error.message ?? '');
  const vendorReason = write || missing ? sanitizeVendorMessage(error.message) : undefined;

  if (status === 404 || error.code === 'resource_missing') {
    const message = vendorReason ? `Stripe: ${vendorReason}` : `Stripe has no such ${missingResource(error)}`;
    return new GatewayError('NOT_FOUND', message, options);
  }
  if (status === 401) return new GatewayError('UPSTREAM_AUTH_FAILED', 'Stripe rejected the configured API key', options);
  if (status === 403)
    return new GatewayError('UPSTREAM_AUTH_FAILED', 'The configured Stripe key lacks permission for this request', options);
  if (status === 409) {
    const code = safeCode(error.code);
    const reason = vendorReason ?? (code ? words(code) : undefined);
    const message = reason ? `Stripe refused the request: ${reason}` : 'Stripe refused the request as a conflict';
    return new GatewayError('UPSTREAM_CONFLICT', message, options);
  }
  if (status === 429) {
    // lock_timeout is Stripe's answer to concurrent writes on one object, not a quota.
    const message = error.code === 'lock_timeout' ? 'Stripe is busy with this object; retry shortly' : 'Stripe rate limit reached';
    return new GatewayError('RATE_LIMITED', message, options);
  }
  if (status >= 500 || status === 424) return new GatewayError('UPSTREAM_UNAVAILABLE', 'Stripe is unavailable', options);
  // 400 invalid_request_error / idempotency_error, 402 card errors, and other 4xx.
  return badInput(response, error, vendorReason);
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

/** Stripe's explicit verdict on retrying (`Stripe-Should-Retry`); undefined when it gives none. */
function stripeShouldRetry(response: UpstreamResponse): boolean | undefined {
  const header = response.headers['stripe-should-retry'];
  if (header === 'true') return true;
  if (header === 'false') return false;
  return undefined;
}

export const stripeProfile: VendorProfile = {
  system: 'billing',
  authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  defaultHeaders: { 'stripe-version': STRIPE_API_VERSION },
  classify: classifyStripeResponse,
  retryAfterMs: stripeRetryAfterMs,
  shouldRetry: stripeShouldRetry,
  apiVersion: stripeApiVersion,
};
