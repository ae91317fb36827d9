/**
 * Coalescing of identical upstream reads in flight at the same moment: the first caller's
 * call is shared by every caller that asks for the same thing before it settles.
 *
 * Each caller keeps its own cancellation: one that aborts (deadline, client gone) stops
 * waiting at once, and the shared call is cancelled only when no caller waits for it any
 * more, so one impatient request cannot fail another's read. The shared call runs under
 * the latest deadline among its callers.
 */
import { deadlineOf, setDeadline } from './deadline.ts';

interface InFlight {
  promise: Promise<unknown>;
  /** When the call began (Date.now()): what it answers may be as old as this. */
  begunAt: number;
  controller: AbortController;
  waiters: number;
}

export interface Coalescer {
  /**
   * Runs `call` once per `key` at a time. `shared` tells a caller whether it joined a call
   * another caller started, begun at `begunAt`. `onAbort` builds the error a caller sees
   * when its signal aborts. `joinSince`: a call in flight is joined only if it began at or
   * after this moment (default: any); otherwise this caller starts one of its own, which later
   * callers join.
   */
  run<T>(
    key: string,
    signal: AbortSignal | undefined,
    call: (signal: AbortSignal) => Promise<T>,
    onAbort: () => unknown,
    joinSince?: number,
  ): Promise<{ value: T; shared: boolean; begunAt: number }>;
  readonly inFlight: number;
  /** Callers waiting right now on a call another caller began. */
  readonly joinedWaiting: number;
}

export function createCoalescer(): Coalescer {
  const calls = new Map<string, InFlight>();
  let joinedWaiting = 0;

  return {
    get inFlight() {
      return calls.size;
    },
    get joinedWaiting() {
      return joinedWaiting;
    },
    run<T>(
      key: string,
      signal: AbortSignal | undefined,
      call: (signal: AbortSignal) => Promise<T>,
      onAbort: () => unknown,
      joinSince = Number.NEGATIVE_INFINITY,
    ) {
      if (signal?.aborted) return Promise.reject(onAbort());
      let entry = calls.get(key);
      if (entry && entry.begunAt < joinSince) entry = undefined;
      const shared = entry !== undefined;
      const callerDeadline = signal ? deadlineOf(signal) : undefined;
      if (!entry) {
        const controller = new AbortController();
        if (callerDeadline !== undefined) setDeadline(controller.signal, callerDeadline);
        const created: InFlight = { controller, waiters: 0, promise: Promise.resolve(), begunAt: Date.now() };
        created.promise = call(controller.signal).finally(() => {
          if (calls.get(key) === created) calls.delete(key);
        });
        // Callers that all left must not leave an unhandled rejection behind.
        created.promise.catch(() => undefined);
        calls.set(key, created);
        entry = created;
      } else {
        const current = deadlineOf(entry.controller.signal);
        // A caller without a deadline keeps the shared call free of one.
        if (callerDeadline === undefined || (current !== undefined && callerDeadline > current)) {
          setDeadline(entry.controller.signal, callerDeadline ?? Number.POSITIVE_INFINITY);
        }
      }
      const joined = entry;
      joined.waiters++;
      if (shared) joinedWaiting++;
      return new Promise<{ value: T; shared: boolean; begunAt: number }>((resolve, reject) => {
        let left = false;
        const leave = () => {
          if (left) return false;
          left = true;
          signal?.removeEventListener('abort', onCallerAbort);
          joined.waiters--;
          if (shared) joinedWaiting--;
          return true;
        };
        const onCallerAbort = () => {
          if (!leave()) return;
          if (joined.waiters === 0) joined.controller.abort(signal?.reason);
          reject(onAbort());
        };
        signal?.addEventListener('abort', onCallerAbort, { once: true });
        joined.promise.then(
          (value) => {
            if (!leave()) return;
            resolve({ value: value as T, shared, begunAt: joined.begunAt });
          },
          (error: unknown) => {
            if (!leave()) return;
            reject(error);
          },
        );
      });
    },
  };
}
