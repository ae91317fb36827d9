/**
 * The deadline of one client request, carried to every upstream call as an AbortSignal.
 *
 * Connectors only pass a `signal` through (they know nothing of deadlines), yet the upstream
 * client must know how much time is left, to refuse a backoff or quota wait that would end
 * after the client has given up. So the moment a signal's deadline passes is registered
 * here against the signal itself and looked up by the client.
 */
import { setMaxListeners } from 'node:events';
import { GatewayError } from '../errors.ts';

const deadlines = new WeakMap<AbortSignal, number>();

export interface RequestDeadline {
  signal: AbortSignal;
  /** `Date.now()` value at which the signal aborts. */
  deadlineAt: number;
  /** Stops the timer (the request ended in time); the signal stays usable. */
  dispose(): void;
  /** From now on only the deadline aborts the signal, no longer `parent` (a started write outlives its client). */
  detach(): void;
}

/**
 * A signal that aborts after `ms` with an UPSTREAM_TIMEOUT GatewayError as its reason, or
 * earlier when `parent` aborts (the client went away).
 */
export function createRequestDeadline(ms: number, parent?: AbortSignal, message?: string): RequestDeadline {
  const controller = new AbortController();
  // Every upstream call of the request listens on it while in flight (a cache-hostile page
  // makes sixteen at once, look-ahead included) and stops when it ends: past Node's default
  // of ten that is not a leak, and must not warn as one.
  setMaxListeners(0, controller.signal);
  const deadlineAt = Date.now() + ms;
  const timer = setTimeout(() => {
    controller.abort(
      new GatewayError('UPSTREAM_TIMEOUT', message ?? `The request deadline of ${ms} ms passed before the upstream answered`),
    );
  }, ms);
  timer.unref();
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  deadlines.set(controller.signal, deadlineAt);
  return {
    signal: controller.signal,
    deadlineAt,
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
    detach() {
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}

/**
 * The share of what is left of a request's deadline that one upstream call may take, retries
 * included. Stitching resolves a merged object's nested links only once every system's part
 * of it has settled, so a hung vendor that took the whole deadline would take the other
 * systems' links below that object down with it; failing a little earlier leaves them time.
 */
const CALL_SHARE_OF_DEADLINE = 0.75;

/** A deadline for one upstream call: its share of the time `signal` has left (undefined without a deadline). */
export function createCallDeadline(signal: AbortSignal | undefined, label: string): RequestDeadline | undefined {
  const left = remainingMs(signal);
  if (!Number.isFinite(left) || left <= 0) return undefined;
  const ms = Math.max(1, Math.floor(left * CALL_SHARE_OF_DEADLINE));
  return createRequestDeadline(ms, signal, `${label} did not answer within ${ms} ms, its share of the request deadline`);
}

/** Gives `signal` a deadline (for signals made outside `createRequestDeadline`, e.g. a shared call's). */
export function setDeadline(signal: AbortSignal, deadlineAt: number): void {
  deadlines.set(signal, deadlineAt);
}

/** The `Date.now()` value at which `signal` aborts; undefined when unknown. */
export function deadlineOf(signal: AbortSignal | undefined): number | undefined {
  return signal ? deadlines.get(signal) : undefined;
}

/** Milliseconds left before `signal`'s deadline; Infinity when it has none (or no signal). */
export function remainingMs(signal: AbortSignal | undefined): number {
  if (!signal) return Infinity;
  if (signal.aborted) return 0;
  const at = deadlines.get(signal);
  return at === undefined ? Infinity : Math.max(0, at - Date.now());
}

/** Resolves after `ms`, or rejects with `onAbort()` as soon as `signal` aborts. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined, onAbort: () => unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(onAbort());
    const done = () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
