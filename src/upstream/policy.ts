/**
 * The cockatiel policies around each attempt, in the order `wrap(retry, breaker, bulkhead, timeout)` (see client.ts
 * for why), and the breaker's state as /readiness reports it.
 */
import {
  bulkhead,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { BreakerState, UpstreamClientOptions } from './client-options.ts';
import { AttemptFailure, jitteredBackoffMs } from './failure.ts';

const BREAKER_THRESHOLD = 5;
const BREAKER_HALF_OPEN_AFTER_MS = 5_000;

export type AttemptPolicies = ReturnType<typeof createPolicies>;

// The return type is inferred: cockatiel's merged policy type carries each part's context (the timeout's signal).
export function createPolicies(options: UpstreamClientOptions) {
  const retryPolicy = retry(
    handleWhen((error) => error instanceof AttemptFailure && error.retryable),
    {
      maxAttempts: options.retries ?? 2,
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
  const attemptTimeout = timeout(options.timeoutMs ?? 10_000, TimeoutStrategy.Cooperative);
  const halfOpenAfterMs = options.breakerHalfOpenMs ?? BREAKER_HALF_OPEN_AFTER_MS;
  let openedAt = 0;
  breaker.onBreak(() => (openedAt = Date.now()));
  return {
    policy: wrap(retryPolicy, breaker, slots, attemptTimeout),
    breaker,
    /**
     * How long until an open breaker lets its trial call through, for the caller's
     * `retryAfter`: a caller that comes back then finds the vendor tried again, not sooner.
     */
    reopensInMs: () => Math.max(0, openedAt + halfOpenAfterMs - Date.now()),
  };
}

export function breakerStateOf(breaker: CircuitBreakerPolicy): BreakerState {
  switch (breaker.state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    default:
      return 'open';
  }
}
