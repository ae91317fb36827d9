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
import type { UpstreamAttemptEvent } from './types.ts';
import type { ResilientUpstreamClient, UpstreamClientOptions } from './client-options.ts';
import { createCoalescer } from './coalesce.ts';
import { execute } from './execute.ts';
import { breakerStateOf, createPolicies } from './policy.ts';
import { createScope } from './scope.ts';
import { send } from './send.ts';

// The client's public names stay importable from here; the parts live in the modules named above.
export type { UpstreamAttemptEvent };
export type { BreakerState, LastUpstreamError, ResilientUpstreamClient, UpstreamClientOptions } from './client-options.ts';
export { MAX_RETRY_WAIT_MS } from './failure.ts';
export { describeSystem } from './scope.ts';
export { encodeQuery } from './wire.ts';

export function createUpstreamClient(options: UpstreamClientOptions): ResilientUpstreamClient {
  const scope = createScope(options);
  const policies = createPolicies(options);
  const coalescer = options.coalesce === false ? undefined : createCoalescer();
  const run = (request: Parameters<typeof execute>[2]) => execute(scope, policies, request);

  return {
    system: scope.system,
    request: (request) => send(scope, coalescer, run, request),
    budget: scope.budget,
    get lastError() {
      return scope.lastError;
    },
    get breakerState() {
      return breakerStateOf(policies.breaker);
    },
    get joinedReads() {
      return coalescer?.joinedWaiting ?? 0;
    },
    close: () => scope.pool.close(),
  };
}
