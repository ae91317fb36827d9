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
 * - a wait that would end after the caller's deadline (see `deadline.ts`) is not waited:
 *   the error is returned at once;
 * - Stripe's `Stripe-Should-Retry` header, when present, overrides the rules above.
 *
 * The breaker counts failures that say "the system is unwell" — connection errors,
 * per-attempt timeouts and 5xx — and not 4xx, 429 or the caller's own cancellation.
 *
 * Around that: a bulkhead (concurrency limit, then a bounded queue) per system, so a
 * hanging vendor holds at most its own slots; a quota budget taken before each attempt
 * and fed by each response's rate-limit headers; and coalescing of identical reads in
 * flight at the same moment, so they reach the vendor once.
 */
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
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
import { Pool, type Dispatcher } from 'undici';
import { GatewayError, isGatewayError } from '../errors.ts';
import type { QueryValue, SystemName, UpstreamClient, UpstreamRequest, UpstreamResponse, VendorProfile } from './types.ts';
import type { UpstreamAttemptEvent } from './types.ts';
import type { QuotaBudget } from './budget.ts';
import { createCoalescer } from './coalesce.ts';
import { createCallDeadline, remainingMs } from './deadline.ts';

export type { UpstreamAttemptEvent };

/** The longest single wait between attempts; a vendor asking for more gets RATE_LIMITED surfaced instead. */
export const MAX_RETRY_WAIT_MS = 2_000;
const BREAKER_THRESHOLD = 5;
const BREAKER_HALF_OPEN_AFTER_MS = 5_000;
const HUBSPOT_REMAINING = 'x-hubspot-ratelimit-remaining';
const BACKOFF_BASE_MS = 100;

export type BreakerState = 'closed' | 'open' | 'half-open';

/** The last failure a system's client saw, for /readiness. */
export interface LastUpstreamError {
  code: string;
  message: string;
  route: string;
  at: string;
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
  /** Concurrent calls to this system. Default: `connections`. */
  bulkhead?: number;
  /** Calls that may wait for a bulkhead slot; more fail UPSTREAM_UNAVAILABLE at once. Default 256. */
  bulkheadQueue?: number;
  /** Consecutive failures that open the breaker. Default 5. */
  breakerThreshold?: number;
  /** How long the breaker stays open before one trial call. Default 5000. */
  breakerHalfOpenMs?: number;
  /** The vendor-quota budget this client draws from; none means unmetered. */
  budget?: QuotaBudget;
  /** Make identical reads in flight at the same moment once. Default true. */
  coalesce?: boolean;
}

export interface ResilientUpstreamClient extends UpstreamClient {
  readonly breakerState: BreakerState;
  readonly lastError: LastUpstreamError | undefined;
  readonly budget: QuotaBudget | undefined;
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
    /** How long to wait before the next attempt; set by `attemptOnce` when it is retryable. */
    public waitMs?: number,
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
  const { profile, credential, logger, onResponse, budget } = options;
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
        if (failure instanceof AttemptFailure && failure.waitMs !== undefined) return failure.waitMs;
        return jitteredBackoffMs(context.attempt);
      }),
    },
  );
  const breaker = circuitBreaker(
    handleWhen((error) => error instanceof AttemptFailure && error.tripsBreaker),
    {
      breaker: new ConsecutiveBreaker(options.breakerThreshold ?? BREAKER_THRESHOLD),
      halfOpenAfter: options.breakerHalfOpenMs ?? BREAKER_HALF_OPEN_AFTER_MS,
    },
  );
  // Inside the retry, so a call sleeping between attempts holds no slot; inside the
  // breaker, so an open breaker fails fast without queueing.
  const slots = bulkhead(options.bulkhead ?? options.connections ?? 32, options.bulkheadQueue ?? 256);
  const attemptTimeout = timeout(timeoutMs, TimeoutStrategy.Cooperative);
  const policy = wrap(retryPolicy, breaker, slots, attemptTimeout);
  const coalescer = options.coalesce === false ? undefined : createCoalescer();
  let lastError: LastUpstreamError | undefined;

  const unavailable = (cause: unknown, upstreamStatus?: number) =>
    new GatewayError('UPSTREAM_UNAVAILABLE', `${label} is unavailable`, { service: system, cause, upstreamStatus });

  function callerCancelled(signal: AbortSignal): GatewayError {
    // The context sets a GatewayError as the reason when its request deadline passes.
    if (isGatewayError(signal.reason)) return withDetails(signal.reason, system);
    if ((signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError') {
      return new GatewayError('UPSTREAM_TIMEOUT', `${label} did not answer before the request deadline`, { service: system });
    }
    // Any other abort is the caller going away (the client closed its connection): neither a
    // timeout nor the vendor's fault, so it trips nothing and is not reported as an outage.
    return new GatewayError('CLIENT_CLOSED_REQUEST', `The client closed the request before ${label} answered`, { service: system });
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
      const error = profile.classify(response, request);
      if (error) throw withDetails(error, system);
      return response;
    }

    const classified = profile.classify(response, request);
    if (status !== 429 && status < 500) {
      if (classified) throw withDetails(classified, system);
      return response;
    }

    const waitMs = profile.retryAfterMs?.(response);
    let error: GatewayError;
    if (status === 429) {
      const base =
        classified?.code === 'RATE_LIMITED'
          ? classified
          : new GatewayError('RATE_LIMITED', `${label} rate limit reached`, { service: system, upstreamStatus: status });
      // No wait hint (Stripe, HubSpot without policy headers): 1 s is the honest minimum.
      error = withDetails(base, system, waitMs === undefined ? (base.retryAfter ?? 1) : toSeconds(waitMs));
    } else if (classified) {
      error = withDetails(classified, system, waitMs === undefined ? undefined : toSeconds(waitMs));
    } else {
      return response;
    }

    if (waitMs !== undefined) budget?.observe(request.route, { blockMs: waitMs });
    if (waitMs !== undefined && (waitMs > MAX_RETRY_WAIT_MS || waitMs >= remainingMs(request.signal))) throw error;
    const retryable = vendorSaysRetry(response) ?? (status === 429 || request.idempotent);
    throw new AttemptFailure(error, retryable, status >= 500, waitMs === undefined ? undefined : Math.max(0, waitMs));
  }

  /** Stripe's explicit verdict on retrying (`Stripe-Should-Retry`); undefined when it gives none. */
  function vendorSaysRetry(response: UpstreamResponse): boolean | undefined {
    const header = response.headers['stripe-should-retry'];
    if (header === 'true') return true;
    if (header === 'false') return false;
    return undefined;
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
    const requestId = request.headers?.['x-request-id'];
    const event: UpstreamAttemptEvent = {
      system,
      route: request.route,
      method: request.method,
      status,
      durationMs,
      attempt,
      retried: attempt > 1,
      ...(errorCode ? { errorCode } : {}),
      ...(requestId ? { requestId } : {}),
    };
    if (errorCode && errorCode !== 'CLIENT_CLOSED_REQUEST') {
      lastError = { code: errorCode, message: `${request.route} failed`, route: request.route, at: new Date().toISOString() };
    }
    logger?.debug(event, 'upstream attempt');
    for (const hook of [onResponse, request.onAttempt]) {
      try {
        hook?.(event);
      } catch (hookError) {
        logger?.warn({ system, err: hookError }, 'upstream attempt hook threw');
      }
    }
  }

  async function attemptOnce(request: UpstreamRequest, attempt: number, signal: AbortSignal): Promise<UpstreamResponse> {
    // A retry scheduled before the caller gave up must not reach the network.
    if (request.signal?.aborted) throw callerCancelled(request.signal);
    // Quota is spent per attempt: every attempt is a call the vendor counts. The slot is
    // held until the answer is in: the vendor counted the call somewhere in between.
    const release = await budget?.acquire(request.route, request.signal);
    try {
      return await sendOnce(request, attempt, signal);
    } finally {
      release?.();
    }
  }

  async function sendOnce(request: UpstreamRequest, attempt: number, signal: AbortSignal): Promise<UpstreamResponse> {
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
      status = res.statusCode;
      const text = await readBody(request, res, signal);
      const remaining = res.headers[HUBSPOT_REMAINING];
      if (typeof remaining === 'string') budget?.observe(request.route, { remaining: Number(remaining) });
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
      if (mapped instanceof AttemptFailure && mapped.retryable) {
        // Decide the wait now, while the deadline is known: a retry that could only start
        // after the caller has given up is not a retry worth waiting for.
        const waitMs = mapped.waitMs ?? jitteredBackoffMs(attempt);
        if (waitMs >= remainingMs(request.signal)) throw mapped.error;
        mapped.waitMs = waitMs;
      }
      throw mapped;
    } finally {
      report(request, attempt, status, startedAt, errorCode);
    }
  }

  /**
   * A 2xx whose body breaks off (connection closed before Content-Length was reached) is a
   * malformed answer, not an outage: UPSTREAM_BAD_RESPONSE, retried for reads (the next
   * answer may be whole) but not counted against the breaker.
   */
  async function readBody(request: UpstreamRequest, res: Dispatcher.ResponseData, signal: AbortSignal): Promise<string> {
    try {
      return await res.body.text();
    } catch (error) {
      if (signal.aborted || request.signal?.aborted || res.statusCode < 200 || res.statusCode >= 300) throw error;
      const truncated = new GatewayError('UPSTREAM_BAD_RESPONSE', `${label} answered with an incomplete body`, {
        service: system,
        upstreamStatus: res.statusCode,
        cause: error,
      });
      logger?.warn(
        { system, route: request.route, status: res.statusCode, err: errorCodeOf(error), requestId: request.headers?.['x-request-id'] },
        'upstream body ended early',
      );
      throw new AttemptFailure(truncated, request.idempotent, false);
    }
  }

  function toCallerError(error: unknown): unknown {
    if (error instanceof AttemptFailure) return error.error;
    if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) return unavailable(error);
    if (error instanceof BulkheadRejectedError) {
      return new GatewayError('UPSTREAM_UNAVAILABLE', `${label} has too many calls in flight`, { service: system, cause: error });
    }
    return error;
  }

  async function execute(caller: UpstreamRequest): Promise<UpstreamResponse> {
    if (caller.signal?.aborted) throw callerCancelled(caller.signal);
    const deadline = createCallDeadline(caller.signal, label);
    try {
      return await executeWithin(deadline ? { ...caller, signal: deadline.signal } : caller);
    } finally {
      deadline?.dispose();
    }
  }

  async function executeWithin(request: UpstreamRequest): Promise<UpstreamResponse> {
    let attempt = 0;
    const execution = policy
      .execute(({ signal }) => attemptOnce(request, ++attempt, signal), request.signal)
      .catch((error: unknown) => {
        const callerError = toCallerError(error);
        // Attempts record their own failures; these never reached an attempt.
        const fastFailure =
          error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError || error instanceof BulkheadRejectedError;
        if (fastFailure && isGatewayError(callerError)) {
          lastError = { code: callerError.code, message: callerError.message, route: request.route, at: new Date().toISOString() };
        }
        return Promise.reject(callerError);
      });
    return request.signal ? await raceAbort(execution, request.signal, () => callerCancelled(request.signal!)) : await execution;
  }

  /** Reads are what may be coalesced; a write is never merged with another caller's. */
  function coalesceKey(request: UpstreamRequest): string | undefined {
    if (!coalescer || !request.idempotent) return undefined;
    const read = request.method === 'GET' || (request.method === 'POST' && /\/(batch\/read|search)$/.test(request.path));
    if (!read) return undefined;
    const { body } = buildBody(request);
    return `${request.method} ${buildPath(request)} ${body ?? ''}`;
  }

  async function send<T>(request: UpstreamRequest): Promise<UpstreamResponse<T>> {
    const key = coalesceKey(request);
    if (!key || !coalescer) return (await execute(request)) as UpstreamResponse<T>;
    const startedAt = performance.now();
    const { value, shared } = await coalescer
      .run(
        key,
        request.signal,
        (signal) => execute({ ...request, signal }),
        () => callerCancelled(request.signal!),
      )
      .catch((error: unknown) => {
        reportJoined(request, startedAt, isGatewayError(error) ? error.code : 'error');
        return Promise.reject(error);
      });
    if (shared) reportJoined(request, startedAt, undefined, value.status);
    return value as UpstreamResponse<T>;
  }

  /** Tells a caller that joined another's call what it got, for its trace. */
  function reportJoined(request: UpstreamRequest, startedAt: number, errorCode?: string, status?: number) {
    if (!request.onAttempt) return;
    try {
      request.onAttempt({
        system,
        route: request.route,
        method: request.method,
        status: status ?? 'error',
        durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
        attempt: 1,
        retried: false,
        coalesced: true,
        ...(errorCode ? { errorCode } : {}),
      });
    } catch {
      // A trace hook must not fail the call.
    }
  }

  return {
    system,
    request: send,
    budget,
    get lastError() {
      return lastError;
    },
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
