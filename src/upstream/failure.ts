/** One failed attempt as the retry and breaker policies see it, and the waits between attempts. */
import { GatewayError, type SystemName } from '../errors.ts';

/** The longest single wait between attempts; a vendor asking for more gets RATE_LIMITED surfaced instead. */
export const MAX_RETRY_WAIT_MS = 2_000;
const BACKOFF_BASE_MS = 100;

/**
 * Carries one failed attempt through cockatiel's filters. It never escapes `request`:
 * callers see the GatewayError inside it.
 */
export class AttemptFailure extends Error {
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

/** Same error with `retryAfter` (and `service`) filled in; GatewayError's fields are readonly. */
export function withDetails(error: GatewayError, service: SystemName, retryAfter?: number): GatewayError {
  if (error.service === service && (retryAfter === undefined || error.retryAfter === retryAfter)) return error;
  return new GatewayError(error.code, error.message, {
    service,
    retryAfter: retryAfter ?? error.retryAfter,
    upstreamStatus: error.upstreamStatus,
    fields: error.fields,
    writeApplied: error.writeApplied,
    sent: error.sent,
    cause: error.cause,
  });
}

export function toSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

// "Equal jitter": half the exponential step is fixed, half random, so retries from many
// replicas spread out without ever collapsing to an immediate retry.
export function jitteredBackoffMs(attempt: number): number {
  const step = Math.min(MAX_RETRY_WAIT_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return step / 2 + Math.random() * (step / 2);
}
