/**
 * The in-process change feed: invalidate, deduplicate by event id, fan out to local
 * subscribers. (A Redis transport for several replicas plugs in behind the same interface.)
 */
import { EventEmitter, on } from 'node:events';
import type { Invalidator } from './invalidate.ts';
import type { ChangeEvent, ChangeFeed } from './types.ts';

const SEEN_LIMIT = 10_000;

export function createChangeFeed(options: { invalidate: Invalidator }): ChangeFeed {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  // Insertion-ordered, so the oldest ids are forgotten first.
  const seen = new Set<string>();

  return {
    async publish(event) {
      if (seen.has(event.eventId)) return;
      seen.add(event.eventId);
      if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as string);
      await options.invalidate(event);
      emitter.emit('change', event);
    },
    async *subscribe(signal) {
      for await (const [event] of on(emitter, 'change', { signal })) yield event as ChangeEvent;
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}
