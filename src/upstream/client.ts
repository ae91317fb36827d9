/**
 * The one outbound HTTP layer every connector goes through (STYLE.md §6). Per client:
 * a keep-alive undici Pool, a per-attempt deadline, retries, a circuit breaker, auth
 * headers from the vendor profile, and status-to-error mapping via `profile.classify`.
 *
 * Policy order is `wrap(retry, breaker, timeout)`: the timeout is innermost so that each
 * attempt gets its own deadline (its AbortSignal, derived from the caller's
 * `request.signal`, is what undici sees), and the breaker sits inside the retry so that
 * every failed attempt counts towards opening it.
 *
 * Retry rules:
 * - idempotent requests are retried after a connection error, a per-attempt timeout, a
 *   5xx or a 429;
 * - any request, idempotent or not, is retried after a 429 or a refused connection.
 *   Both mean the vendor never executed the request (Stripe's limiters run before its
 *   idempotency layer; Slack documents retry-on-429 as the one safe retry for
 *   chat.postMessage), so sending it again cannot do anything twice;
 * - waits are jittered exponential backoff, or the profile's `retryAfterMs`. A vendor
 *   that asks for more than MAX_RETRY_WAIT_MS is not retried: the caller gets the error
 *   at once, with `retryAfter` in seconds, instead of a request that hangs.
 *
 * The breaker counts failures that say "the system is unwell" — connection errors,
 * per-attempt timeouts and 5xx — and not 4xx, 429 or the caller's own cancellation.
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  IsolatedCircuitError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import type { Logger } from 'pino';
import { Pool } from 'undici';
import { GatewayError, isGatewayError } from '../errors.ts';
import type {
  QueryValue,
  SystemName,
  UpstreamClient,
  UpstreamRequest,
  UpstreamResponse,
  VendorProfile,
} from './types.ts';

/** The longest single wait between attempts; a vendor asking for more gets RATE_LIMITED surfaced instead. */
export const MAX_RETRY_WAIT_MS = 2_000;
const BREAKER_THRESHOLD = 5;
const BREAKER_HALF_OPEN_AFTER_MS = 5_000;
const BACKOFF_BASE_MS = 100;

export type BreakerState = 'closed' | 'open' | 'half-open';

/** One attempt's outcome, for metrics and tests. `status` is 'error' when no HTTP response arrived. */
export interface UpstreamAttemptEvent {
  system: SystemName;
  route: string;
  method: UpstreamRequest['method'];
  status: number | 'error';
  durationMs: number;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
}

export interface UpstreamClientOptions {
  profile: VendorProfile;
  /** Vendor base URL, may carry a path prefix (e.g. `https://slack.com/api`). */
  baseUrl: string;
  /** Passed to `profile.authHeaders`; never logged. */
  credential: string;
  /** Deadline for one attempt, body included. Default 10_000. */
  timeoutMs?: number;
  /** Retries after the first try (so `2` means up to three tries). Default 2. */
  retries?: number;
  /** Keep-alive connections in the pool. Default 32. */
  connections?: number;
  /** Receives one debug line per attempt (system, route, status, duration). */
  logger?: Logger;
  /** Called after every attempt that reached the network layer. Must not throw. */
  onResponse?: (event: UpstreamAttemptEvent) => void;
}

export interface ResilientUpstreamClient extends UpstreamClient {
  readonly breakerState: BreakerState;
  /** Waits for in-flight requests, then closes the pool's sockets. */
  close(): Promise<void>;
}

const SYSTEM_LABELS: Record<SystemName, string> = {
  crm: 'HubSpot CRM',
  billing: 'Stripe',
  chat: 'Slack',
};

/** The vendor's name as it should read in a client-facing message. */
export function describeSystem(system: SystemName): string {
  return SYSTEM_LABELS[system];
}

/**
 * Builds a query string: arrays repeat the key (HubSpot's `properties=a&properties=b`),
 * undefined and null are left out. Returns '' when nothing remains.
 */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly (string | number)[]) params.append(key, String(item));
    } else {
      params.append(key, String(value));
    }
  }
  return params.toString();
}

/**
 * Carries one failed attempt through cockatiel's filters. It never escapes `request`:
 * callers see the GatewayError inside it.
 */
class AttemptFailure extends Error {
  constructor(
    readonly error: GatewayError,
    readonly retryable: boolean,
    readonly tripsBreaker: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(error.message);
    this.name = 'AttemptFailure';
  }
}

// Errors that mean the request never left this machine, so re-sending is safe for any method.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
// Programmer errors from undici: a bug to surface as-is, not an outage to retry.
const USAGE_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_INVALID_RETURN_VALUE']);

function errorCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 3; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function normalizeHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers) for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** Same error with `retryAfter` (and `service`) filled in; GatewayError's fields are readonly. */
function withDetails(error: GatewayError, service: SystemName, retryAfter?: number): GatewayError {
  if (error.service === service && (retryAfter === undefined || error.retryAfter === retryAfter)) return error;
  return new GatewayError(error.code, error.message, {
    service,
    retryAfter: retryAfter ?? error.retryAfter,
    upstreamStatus: error.upstreamStatus,
    fields: error.fields,
    cause: error.cause,
  });
}

function toSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

// "Equal jitter": half the exponential step is fixed, half random, so retries from many
// replicas spread out without ever collapsing to an immediate retry.
function jitteredBackoffMs(attempt: number): number {
  const step = Math.min(MAX_RETRY_WAIT_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return step / 2 + Math.random() * (step / 2);
}

export function createUpstreamClient(options: UpstreamClientOptions): ResilientUpstreamClient {
  const { profile, credential, logger, onResponse } = options;
  const system = profile.system;
  const label = describeSystem(system);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;

  const base = new URL(options.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections: options.connections ?? 32,
    // Vendors keep idle sockets open for a minute or more; undici's 4 s default would
    // reconnect (TLS handshake included) between most bursts.
    keepAliveTimeout: 30_000,
  });

  const fixedHeaders = {
    accept: 'application/json',
    ...lowerKeys(profile.defaultHeaders),
  };

  const retryPolicy = retry(
    handleWhen((error) => error instanceof AttemptFailure && error.retryable),
    {
      maxAttempts: retries,
      backoff: new DelegateBackoff((context) => {
        const failure = 'error' in context.result ? context.result.error : undefined;
        if (failure instanceof AttemptFailure && failure.retryAfterMs !== undefined) return failure.retryAfterMs;
        return jitteredBackoffMs(context.attempt);
      }),
    },
  );
  const breaker = circuitBreaker(
    handleWhen((error) => error instanceof AttemptFailure && error.tripsBreaker),
    { breaker: new ConsecutiveBreaker(BREAKER_THRESHOLD), halfOpenAfter: BREAKER_HALF_OPEN_AFTER_MS },
  );
  const attemptTimeout = timeout(timeoutMs, TimeoutStrategy.Cooperative);
  const policy = wrap(retryPolicy, breaker, attemptTimeout);

  const unavailable = (cause: unknown, upstreamStatus?: number) =>
    new GatewayError('UPSTREAM_UNAVAILABLE', `${label} is unavailable`, { service: system, cause, upstreamStatus });

  function callerCancelled(signal: AbortSignal): GatewayError {
    // The context sets a GatewayError as the reason when its request deadline passes.
    if (isGatewayError(signal.reason)) return withDetails(signal.reason, system);
    return new GatewayError('UPSTREAM_TIMEOUT', `${label} did not answer before the request deadline`, { service: system });
  }

  function buildPath(request: UpstreamRequest): string {
    const query = encodeQuery(request.query);
    const path = basePath + request.path;
    if (!query) return path;
    return path + (path.includes('?') ? '&' : '?') + query;
  }

  function buildBody(request: UpstreamRequest): { body?: string; contentType?: string } {
    if (!request.body) return {};
    if ('json' in request.body) return { body: JSON.stringify(request.body.json), contentType: 'application/json' };
    return { body: request.body.form, contentType: 'application/x-www-form-urlencoded' };
  }

  /** Decides what one HTTP response means: a result, a final error, or a retryable failure. */
  function settle(request: UpstreamRequest, response: UpstreamResponse, parsed: boolean): UpstreamResponse {
    const { status } = response;
    if (status >= 200 && status < 300) {
      if (!parsed) {
        throw new GatewayError('UPSTREAM_BAD_RESPONSE', `${label} answered with a body that is not JSON`, {
          service: system,
          upstreamStatus: status,
        });
      }
      // Slack reports failures as 200 + `ok:false`, so a 2xx is not proof of success.
      const error = profile.classify(response);
      if (error) throw withDetails(error, system);
      return response;
    }

    const classified = profile.classify(response);
    if (status !== 429 && status < 500) {
      if (classified) throw withDetails(classified, system);
      return response;
    }

    const waitMs = profile.retryAfterMs?.(response);
    let error: GatewayError;
    if (status === 429) {
      const base = classified?.code === 'RATE_LIMITED'
        ? classified
        : new GatewayError('RATE_LIMITED', `${label} rate limit reached`, { service: system, upstreamStatus: status });
      // No wait hint (Stripe, HubSpot without policy headers): 1 s is the honest minimum.
      error = withDetails(base, system, waitMs === undefined ? (base.retryAfter ?? 1) : toSeconds(waitMs));
    } else if (classified) {
      error = withDetails(classified, system, waitMs === undefined ? undefined : toSeconds(waitMs));
    } else {
      return response;
    }

    if (waitMs !== undefined && waitMs > MAX_RETRY_WAIT_MS) throw error;
    const retryable = status === 429 || request.idempotent;
    throw new AttemptFailure(error, retryable, status >= 500, waitMs === undefined ? undefined : Math.max(0, waitMs));
  }

  function classifyThrown(request: UpstreamRequest, error: unknown, attemptSignal: AbortSignal): unknown {
    if (error instanceof AttemptFailure || isGatewayError(error)) return error;
    if (request.signal?.aborted) return callerCancelled(request.signal);
    if (attemptSignal.aborted) {
      const timedOut = new GatewayError('UPSTREAM_TIMEOUT', `${label} did not answer within ${timeoutMs} ms`, {
        service: system,
        cause: error,
      });
      return new AttemptFailure(timedOut, request.idempotent, true);
    }
    const code = errorCodeOf(error);
    if (code === undefined || USAGE_CODES.has(code)) return error;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      const timedOut = new GatewayError('UPSTREAM_TIMEOUT', `${label} did not answer in time`, { service: system, cause: error });
      return new AttemptFailure(timedOut, request.idempotent, true);
    }
    return new AttemptFailure(unavailable(error), request.idempotent || NOT_SENT_CODES.has(code), true);
  }

  function report(request: UpstreamRequest, attempt: number, status: number | 'error', startedAt: number, errorCode?: string) {
    const durationMs = Math.round((performance.now() - startedAt) * 10) / 10;
    const event: UpstreamAttemptEvent = { system, route: request.route, method: request.method, status, durationMs, attempt };
    logger?.debug({ ...event, ...(errorCode ? { errorCode } : {}) }, 'upstream attempt');
    try {
      onResponse?.(event);
    } catch (hookError) {
      logger?.warn({ system, err: hookError }, 'upstream onResponse hook threw');
    }
  }

  async function attemptOnce(request: UpstreamRequest, attempt: number, signal: AbortSignal): Promise<UpstreamResponse> {
    // A retry scheduled before the caller gave up must not reach the network.
    if (request.signal?.aborted) throw callerCancelled(request.signal);
    const { body, contentType } = buildBody(request);
    const headers: Record<string, string> = {
      ...fixedHeaders,
      ...(contentType ? { 'content-type': contentType } : {}),
      ...lowerKeys(request.headers),
      // Last, so no caller header can replace the configured credential.
      ...lowerKeys(profile.authHeaders(credential)),
    };
    const startedAt = performance.now();
    let status: number | 'error' = 'error';
    let errorCode: string | undefined;
    try {
      const res = await pool.request({ path: buildPath(request), method: request.method, headers, body, signal });
      const text = await res.body.text();
      status = res.statusCode;
      let parsedBody: unknown = null;
      let parsed = true;
      if (text.trim() !== '') {
        try {
          parsedBody = JSON.parse(text);
        } catch {
          // The text may be an HTML error page or echo the request; it never goes further.
          parsed = false;
        }
      }
      return settle(request, { status: res.statusCode, headers: normalizeHeaders(res.headers), body: parsedBody }, parsed);
    } catch (error) {
      const mapped = classifyThrown(request, error, signal);
      errorCode = mapped instanceof AttemptFailure ? mapped.error.code : isGatewayError(mapped) ? mapped.code : errorCodeOf(error);
      throw mapped;
    } finally {
      report(request, attempt, status, startedAt, errorCode);
    }
  }

  function toCallerError(error: unknown): unknown {
    if (error instanceof AttemptFailure) return error.error;
    if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) return unavailable(error);
    return error;
  }

  async function send<T>(request: UpstreamRequest): Promise<UpstreamResponse<T>> {
    if (request.signal?.aborted) throw callerCancelled(request.signal);
    let attempt = 0;
    const execution = policy
      .execute(({ signal }) => attemptOnce(request, ++attempt, signal), request.signal)
      .catch((error: unknown) => Promise.reject(toCallerError(error)));
    const response = request.signal ? await raceAbort(execution, request.signal, () => callerCancelled(request.signal!)) : await execution;
    return response as UpstreamResponse<T>;
  }

  return {
    system,
    request: send,
    get breakerState(): BreakerState {
      switch (breaker.state) {
        case CircuitState.Closed:
          return 'closed';
        case CircuitState.HalfOpen:
          return 'half-open';
        default:
          return 'open';
      }
    },
    close: () => pool.close(),
  };
}

/**
 * Settles as soon as the caller aborts, even while cockatiel sleeps between attempts (its
 * backoff delay cannot be interrupted); the abandoned execution ends at its next attempt.
 */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, reason: () => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
