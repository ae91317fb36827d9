/**
 * A subscription's source stream: the change feed filtered by a predicate. Ending it (the
 * client went away) aborts the feed's listener at once, even while it waits for the next
 * change — an async generator could not be interrupted there and would leak until one came.
 */
import type { ChangeEvent, ChangeFeed } from '../changes/types.ts';

export function filteredChanges(feed: ChangeFeed, predicate: (event: ChangeEvent) => boolean): AsyncIterableIterator<ChangeEvent> {
  const controller = new AbortController();
  const inner = feed.subscribe(controller.signal)[Symbol.asyncIterator]();
  const done = (): IteratorResult<ChangeEvent> => ({ done: true, value: undefined });
  const iterator: AsyncIterableIterator<ChangeEvent> = {
    async next() {
      for (;;) {
        let result: IteratorResult<ChangeEvent>;
        try {
          result = await inner.next();
        } catch (error) {
          if (controller.signal.aborted) return done();
          throw error;
        }
        if (result.done || predicate(result.value)) return result;
      }
    },
    async return() {
      controller.abort();
      return done();
    },
    async throw(error: unknown) {
      controller.abort();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
