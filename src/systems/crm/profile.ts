/**
 * What the shared upstream layer needs to know about HubSpot: the bearer credential, how
 * its statuses and error bodies map onto GatewayError codes, and how long a 429 asks us
 * to wait.
 *
 * HubSpot's error body is `{ status, message, category, subCategory?, correlationId,
 * errors?: [{ message, code, context: { propertyName: [...] } }] }`. Its `message` often
 * echoes the submitted values (emails, names) and is therefore never copied into a client
 * message; only the machine-readable parts (category, error codes, property names) are,
 * after checking they look like identifiers.
 *
 * Rate limits (developers.hubspot.com usage guidelines): a 429 carries `policyName`
 * (TEN_SECONDLY_ROLLING, SECONDLY, DAILY) and `X-HubSpot-RateLimit-*` headers, and no
 * documented Retry-After. HubSpot's own SDK waits 10 s per attempt for the rolling window
 * and 1 s for the secondly/search limit; we use the same figures, and honour Retry-After
 * whenever it is present (477 Migration in Progress sends one).
 */
import { GatewayError } from '../../errors.ts';
import type { UpstreamResponse, VendorProfile } from '../../upstream/types.ts';
import { crmFacts } from './facts.ts';

const LABEL = crmFacts.label;
const SERVICE = crmFacts.name;

/** The parts of HubSpot's error body we may read; everything is optional. */
interface HubSpotErrorBody {
  message?: unknown;
  category?: unknown;
  subCategory?: unknown;
  policyName?: unknown;
  errorType?: unknown;
  errors?: unknown;
}

// Identifier-like strings only: a vendor code or property name, never free text.
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

function errorBody(response: UpstreamResponse): HubSpotErrorBody {
  const body = response.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as HubSpotErrorBody) : {};
}

function identifier(value: unknown): string | undefined {
  return typeof value === 'string' && IDENTIFIER.test(value) ? value : undefined;
}

/** `{ amount: 'INVALID_INTEGER' }` from `errors[].context.propertyName` and `errors[].code`. */
function invalidFields(body: HubSpotErrorBody): Record<string, string> | undefined {
  if (!Array.isArray(body.errors)) return undefined;
  const fields: Record<string, string> = {};
  for (const item of body.errors as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { code, context } = item as { code?: unknown; context?: unknown };
    const names = (context as { propertyName?: unknown } | undefined)?.propertyName;
    const reason = identifier(code)?.toLowerCase().replace(/_/g, ' ') ?? 'invalid';
    for (const name of Array.isArray(names) ? names : []) {
      const property = identifier(name);
      if (property) fields[property] = reason;
    }
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

const CATEGORY_WORDS: Record<string, string> = {
  VALIDATION_ERROR: 'a value is not valid',
  INVALID_PARAMS: 'a parameter is not valid',
  OBJECT_NOT_FOUND: 'the record does not exist',
  PROPERTY_DOESNT_EXIST: 'a property does not exist',
  INVALID_EMAIL: 'the email address is not valid',
};

function rejectedMessage(body: HubSpotErrorBody, fields: Record<string, string> | undefined): string {
  if (fields) {
    const list = Object.entries(fields)
      .map(([name, reason]) => `${name} (${reason})`)
      .join(', ');
    return `${LABEL} rejected the request: invalid ${list}`;
  }
  const category = identifier(body.category);
  const words = category ? (CATEGORY_WORDS[category] ?? category.toLowerCase().replace(/_/g, ' ')) : 'the request is not valid';
  return `${LABEL} rejected the request: ${words}`;
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds. */
function retryAfterHeaderMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function msUntilNextUtcMidnight(now = Date.now()): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return next.getTime() - now;
}

/** HubSpot's wait hint for a 429/423/477 response, in milliseconds. */
export function hubspotRetryAfterMs(response: UpstreamResponse): number | undefined {
  const header = retryAfterHeaderMs(response.headers['retry-after']);
  if (header !== undefined) return header;
  if (response.status === 423) return 2_000; // HubSpot: locked during bulk upserts, wait at least 2 s
  if (response.status !== 429) return undefined;
  const body = errorBody(response);
  const policy = typeof body.policyName === 'string' ? body.policyName : undefined;
  // The daily quota resets at midnight in the portal's time zone, which we cannot know;
  // UTC midnight is the honest estimate and is long enough that the client surfaces it.
  if (policy === 'DAILY') return msUntilNextUtcMidnight();
  if (policy === 'SECONDLY') return 1_000;
  if (typeof body.message === 'string' && /secondly limit/i.test(body.message) && policy !== 'TEN_SECONDLY_ROLLING') return 1_000;
  const interval = Number(response.headers['x-hubspot-ratelimit-interval-milliseconds']);
  if (Number.isFinite(interval) && interval > 0) return interval;
  if (policy === 'TEN_SECONDLY_ROLLING') return 10_000;
  return undefined;
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 1000));
}

/** Maps one HubSpot response to a GatewayError with a message safe to show a client. */
export function classifyHubSpotResponse(response: UpstreamResponse): GatewayError | null {
  const { status } = response;
  // 207 Multi-Status (batch reads with missing ids) is a success; the connector reads `errors`.
  if (status >= 200 && status < 300) return null;
  const body = errorBody(response);
  const upstreamStatus = status;

  if (status === 404) {
    return new GatewayError('NOT_FOUND', `${LABEL} has no such record`, { service: SERVICE, upstreamStatus });
  }
  if (status === 401) {
    return new GatewayError('UPSTREAM_AUTH_FAILED', `${LABEL} rejected the configured access token`, { service: SERVICE, upstreamStatus });
  }
  if (status === 403) {
    const scopes = identifier(body.category) === 'MISSING_SCOPES' || identifier(body.subCategory) === 'MISSING_SCOPES';
    const message = scopes
      ? `${LABEL} refused the request: the configured access token lacks a required scope`
      : `${LABEL} refused the request for the configured access token`;
    return new GatewayError('UPSTREAM_AUTH_FAILED', message, { service: SERVICE, upstreamStatus });
  }
  if (status === 409) {
    // "Contact already exists. Existing ID: 512" — the id is ours to show, the rest is not.
    const existing = typeof body.message === 'string' ? /Existing ID:\s*(\d+)/i.exec(body.message)?.[1] : undefined;
    const message = existing
      ? `${LABEL} already holds a record with the same unique value (existing id ${existing})`
      : `${LABEL} refused the write because it conflicts with an existing record`;
    return new GatewayError('UPSTREAM_CONFLICT', message, { service: SERVICE, upstreamStatus });
  }
  if (status === 429 || status === 423) {
    const policy = identifier(body.policyName);
    const what =
      status === 423
        ? 'the records are locked by a bulk operation'
        : policy === 'DAILY'
          ? 'the daily API limit is spent'
          : 'the API rate limit is reached';
    return new GatewayError('RATE_LIMITED', `${LABEL}: ${what}`, {
      service: SERVICE,
      upstreamStatus,
      retryAfter: seconds(hubspotRetryAfterMs(response)) ?? 1,
    });
  }
  if (status === 477 || status >= 500) {
    // 477 Migration in Progress and 5xx/52x: the portal cannot serve us right now.
    return new GatewayError('UPSTREAM_UNAVAILABLE', `${LABEL} is unavailable`, {
      service: SERVICE,
      upstreamStatus,
      retryAfter: seconds(retryAfterHeaderMs(response.headers['retry-after'])),
    });
  }
  if (status === 400 || status === 422) {
    const fields = invalidFields(body);
    return new GatewayError('BAD_USER_INPUT', rejectedMessage(body, fields), { service: SERVICE, upstreamStatus, fields });
  }
  // Any other 4xx (413, 414, …): most often an input too large for the vendor.
  return new GatewayError('BAD_USER_INPUT', `${LABEL} refused the request (status ${status})`, { service: SERVICE, upstreamStatus });
}

export const hubspotProfile: VendorProfile = {
  system: SERVICE,
  authHeaders: (credential) => ({ authorization: `Bearer ${credential}` }),
  classify: classifyHubSpotResponse,
  retryAfterMs: hubspotRetryAfterMs,
};
