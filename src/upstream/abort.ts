/**
 * Settles as soon as `signal` aborts, rejecting with `reason()`, while the work itself runs on (its result is then
 * ignored). For waits that cannot be interrupted: cockatiel's sleep between attempts, or shared work other callers
 * still wait for (a directory load). Without a signal it is the promise itself.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, reason: () => unknown): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
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
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
