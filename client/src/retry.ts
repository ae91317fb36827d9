/**
 * When the client sends an operation again, and how long it waits first.
 *
 * A read (query) is retried when its answer carries one of the passing failures the gateway
 * documents — RATE_LIMITED, OVERLOADED, UPSTREAM_UNAVAILABLE — since sending it again changes
 * nothing upstream. A write is retried only when it carries an idempotency key (its document
 * declares `$idempotencyKey`): the gateway then runs it at most once whatever the number of
 * sends, so the same codes, and WRITE_OUTCOME_UNKNOWN ("retry with the same key"), are safe to
 * retry. A mutation without a key is never sent twice: the first send may have been applied.
 * Subscriptions are not retried here.
 */
import type { OperationKind } from './document.ts';
import type { SwitchboardError } from './errors.ts';

/** The passing failures worth another attempt of a read, or of a write with an idempotency key. */
export const RETRYABLE_CODES: readonly string[] = ['RATE_LIMITED', 'OVERLOADED', 'UPSTREAM_UNAVAILABLE'];
/** A keyed write whose outcome the gateway could not tell: the same key settles it. */
export const KEYED_WRITE_RETRYABLE_CODES: readonly string[] = [...RETRYABLE_CODES, 'WRITE_OUTCOME_UNKNOWN'];

export interface RetryOptions {
  /** Attempts in all, the first one included (default 3; 1 never retries). */
  maxAttempts?: number;
  /** Backoff when the gateway names no `retryAfter` (default 250 ms): retry n waits between half and all of base·2^(n-1). */
  baseDelayMs?: number;
  /** Cap of that backoff (default 5000 ms). */
  maxDelayMs?: number;
  /** Longest `retryAfter` the client waits for (default 30 s); a longer one returns the answer as it is. */
  maxRetryAfterMs?: number;
}

export const RETRY_DEFAULTS: Required<RetryOptions> = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 5000, maxRetryAfterMs: 30_000 };

/** Whether an answer with these errors may be sent again. */
export function isRetryable(kind: OperationKind, keyed: boolean, errors: readonly SwitchboardError[] | undefined): boolean {
  if (!errors?.length || kind === 'subscription') return false;
  if (kind === 'mutation' && !keyed) return false;
  const codes = kind === 'mutation' ? KEYED_WRITE_RETRYABLE_CODES : RETRYABLE_CODES;
  return errors.some((error) => codes.includes(error.code));
}

/**
 * How long to wait before attempt `attempt + 1` (attempt counts from 1), or undefined when the
 * client should not wait at all (no attempts left, or the gateway's `retryAfter` is past the
 * longest wait allowed). A `retryAfter` is a floor: the wait is at least that long, with up to
 * one backoff base of jitter on top so that clients told the same second do not come back at once.
 */
export function retryDelayMs(
  attempt: number,
  errors: readonly SwitchboardError[],
  options: Required<RetryOptions>,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= options.maxAttempts) return undefined;
  const retryAfters = errors.map((e) => e.retryAfter).filter((s): s is number => typeof s === 'number' && s >= 0);
  if (retryAfters.length > 0) {
    const floor = Math.max(...retryAfters) * 1000;
    if (floor > options.maxRetryAfterMs) return undefined;
    return floor + random() * options.baseDelayMs;
  }
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
