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
  controller: AbortController;
  waiters: number;
}

export interface Coalescer {
  /**
   * Runs `call` once per `key` at a time. `shared` tells a caller whether it joined a call
   * another caller started. `onAbort` builds the error a caller sees when its signal aborts.
   */
  run<T>(
    key: string,
    signal: AbortSignal | undefined,
    call: (signal: AbortSignal) => Promise<T>,
    onAbort: () => unknown,
  ): Promise<{ value: T; shared: boolean }>;
  readonly inFlight: number;
}

export function createCoalescer(): Coalescer {
  const calls = new Map<string, InFlight>();

  return {
    get inFlight() {
      return calls.size;
    },
    run<T>(key: string, signal: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<T>, onAbort: () => unknown) {
      if (signal?.aborted) return Promise.reject(onAbort());
      let entry = calls.get(key);
      const shared = entry !== undefined;
      const callerDeadline = signal ? deadlineOf(signal) : undefined;
      if (!entry) {
        const controller = new AbortController();
        if (callerDeadline !== undefined) setDeadline(controller.signal, callerDeadline);
        const created: InFlight = { controller, waiters: 0, promise: Promise.resolve() };
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
      return new Promise<{ value: T; shared: boolean }>((resolve, reject) => {
        let left = false;
        const leave = () => {
          if (left) return false;
          left = true;
          signal?.removeEventListener('abort', onCallerAbort);
          joined.waiters--;
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
            resolve({ value: value as T, shared });
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
