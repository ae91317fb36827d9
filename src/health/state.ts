/**
 * A system's state now, from what the gateway saw of it. The rules, first match wins:
 *
 * 1. DOWN — the breaker is open or half-open: enough consecutive calls failed that the
 *    gateway stopped calling (half-open: one trial call is deciding whether it may again).
 * 2. THROTTLED — the vendor answered 429 in the recent window, or the quota budget has a
 *    bucket with nothing left (the gateway refuses calls itself before the vendor would).
 * 3. DEGRADED — at least `MIN_FAILURES` recent calls failed and they are at least
 *    `DEGRADED_ERROR_RATE` of the recent calls (vendor 5xx, timeouts, refused connections,
 *    malformed answers; never a caller's 4xx).
 * 4. HEALTHY — otherwise, a system nobody called yet included.
 *
 * "Recent" is the last `RECENT_MS` of attempts, and only those after the breaker last
 * changed state: a breaker that closed again after an outage starts a clean record, so the
 * outage's failures do not keep a recovered system DEGRADED for a minute.
 */
import type { BreakerState } from '../upstream/client.ts';

export type HealthState = 'HEALTHY' | 'DEGRADED' | 'DOWN' | 'THROTTLED';

export const RECENT_MS = 60_000;
export const DEGRADED_ERROR_RATE = 0.2;
export const MIN_FAILURES = 2;

export interface RecentCalls {
  attempts: number;
  failures: number;
  rateLimited: number;
  /** The code of the latest failure among them, when one failed. */
  lastFailureCode?: string;
}

export interface StateInput {
  breaker: BreakerState;
  recent: RecentCalls;
  /** Budget buckets with no call left (empty: none, or the system is unmetered). */
  exhaustedBuckets: readonly string[];
  /** The client's last recorded error, to say why it is down. */
  lastErrorCode?: string;
}

export interface StateVerdict {
  state: HealthState;
  reason: string;
}

export function deriveState(input: StateInput): StateVerdict {
  const { breaker, recent, exhaustedBuckets } = input;
  if (breaker !== 'closed') {
    const cause = input.lastErrorCode ? ` (last error ${input.lastErrorCode})` : '';
    return {
      state: 'DOWN',
      reason:
        breaker === 'open'
          ? `breaker open: calls stopped after consecutive failures${cause}`
          : `breaker half-open: trying one call${cause}`,
    };
  }
  if (recent.rateLimited > 0) {
    return { state: 'THROTTLED', reason: `${recent.rateLimited} of ${recent.attempts} recent calls answered 429` };
  }
  if (exhaustedBuckets.length > 0) {
    return { state: 'THROTTLED', reason: `quota budget spent for ${exhaustedBuckets.join(', ')}` };
  }
  if (recent.failures >= MIN_FAILURES && recent.failures >= DEGRADED_ERROR_RATE * recent.attempts) {
    const code = recent.lastFailureCode ? `, last ${recent.lastFailureCode}` : '';
    return { state: 'DEGRADED', reason: `${recent.failures} of ${recent.attempts} recent calls failed${code}` };
  }
  return { state: 'HEALTHY', reason: recent.attempts === 0 ? 'no recent calls; breaker closed' : 'recent calls succeeded' };
}
