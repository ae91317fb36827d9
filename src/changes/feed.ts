/**
 * The change feed: claim the event id (at most once per id), invalidate, then fan out to
 * subscribers. In one process the transport is memory; with Redis (src/changes/redis.ts)
 * ids are claimed and events fanned out across replicas, so each subscriber anywhere sees a
 * change once and the shared cache is invalidated once.
 *
 * Echoes of our own writes: a mutation through the gateway publishes its change at once
 * (source 'gateway'); the vendor's webhook for the same change arrives later with another
 * id. Rule: a webhook or catch-up change to a record is not fanned out again when the
 * gateway announced that same record (system, entity, id) at or after the moment the
 * vendor says the change occurred — the gateway's announcement already carried a state
 * that includes it, and subscribers resolve the record fresh. It still invalidates (cheap,
 * and safe if the vendor's clock is ahead). A change that occurred after our announcement
 * is someone else's and is published.
 */
import { EventEmitter, on } from 'node:events';
import type { Invalidator } from './invalidate.ts';
import type { ChangeEvent, ChangeFeed } from './types.ts';

const SEEN_LIMIT = 10_000;
/** How long the gateway's own announcement of a record suppresses the vendor's echo of it. */
const ECHO_WINDOW_SECONDS = 600;
/** Waits between attempts to publish one change: a restarting Redis is back within them. */
const PUBLISH_RETRY_DELAYS_MS = [100, 250, 500, 1000, 1500];

/** Where claims, announcements and fan-out live: this process, or Redis for several replicas. */
export interface ChangeTransport {
  ready(): Promise<void>;
  /** True the first time an event id is claimed (within the dedupe TTL). */
  claim(eventId: string): Promise<boolean>;
  /** Gives a claimed id back, so a publication that failed after claiming can be tried again. */
  release(eventId: string): Promise<void>;
  markPublished(recordKey: string, at: number, ttlSeconds: number): Promise<void>;
  lastPublished(recordKey: string): Promise<number | undefined>;
  fanOut(event: ChangeEvent): Promise<void>;
  onEvent(listener: (event: ChangeEvent) => void): () => void;
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  invalidate: Invalidator;
  /** Default: in-process memory. */
  transport?: ChangeTransport;
}

export function recordKey(event: Pick<ChangeEvent, 'system' | 'entity' | 'id'>): string {
  return `${event.system}:${event.entity}:${event.id}`;
}

export function createMemoryTransport(): ChangeTransport {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  // Insertion-ordered, so the oldest ids are forgotten first.
  const seen = new Set<string>();
  const announced = new Map<string, { at: number; until: number }>();
  return {
    ready: async () => undefined,
    async claim(eventId) {
      if (seen.has(eventId)) return false;
      seen.add(eventId);
      if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as string);
      return true;
    },
    async release(eventId) {
      seen.delete(eventId);
    },
    async markPublished(key, at, ttlSeconds) {
      const prior = announced.get(key);
      if (!prior || prior.at < at) announced.set(key, { at, until: Date.now() + ttlSeconds * 1000 });
      if (announced.size > SEEN_LIMIT) announced.delete(announced.keys().next().value as string);
    },
    async lastPublished(key) {
      const entry = announced.get(key);
      return entry && entry.until > Date.now() ? entry.at : undefined;
    },
    async fanOut(event) {
      emitter.emit('change', event);
    },
    onEvent(listener) {
      emitter.on('change', listener);
      return () => emitter.off('change', listener);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const transport = options.transport ?? createMemoryTransport();
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const detach = transport.onEvent((event) => local.emit('change', event));

  async function publishOnce(event: ChangeEvent): Promise<void> {
    if (!(await transport.claim(event.eventId))) return;
    try {
      await options.invalidate(event);
      const key = recordKey(event);
      if (event.source === 'gateway') {
        await transport.markPublished(key, Date.now(), ECHO_WINDOW_SECONDS);
        // The vendor's webhook can beat the mutation's own announcement (the mutation still
        // reads the record back): if it reported a change at or after our write was sent,
        // subscribers already have this state.
        const vendorAt = await transport.lastPublished(`vendor|${key}`);
        if (vendorAt !== undefined && vendorAt >= event.occurredAt) return;
      } else {
        const announcedAt = await transport.lastPublished(key);
        if (announcedAt !== undefined && announcedAt >= event.occurredAt) return;
        await transport.markPublished(`vendor|${key}`, event.occurredAt, ECHO_WINDOW_SECONDS);
      }
      await transport.fanOut(event);
    } catch (error) {
      // Not published after all: the next attempt (or the vendor's retry) must not find it claimed.
      await transport.release(event.eventId).catch(() => undefined);
      throw error;
    }
  }

  return {
    ready: () => transport.ready(),
    async publish(event) {
      // A Redis that restarts or blips refuses a command or two: try again for a few seconds
      // before giving up, so a webhook is applied and a write's change announced across it.
      for (let attempt = 0; ; attempt++) {
        try {
          return await publishOnce(event);
        } catch (error) {
          if (attempt >= PUBLISH_RETRY_DELAYS_MS.length) throw error;
          await new Promise((resolve) => setTimeout(resolve, PUBLISH_RETRY_DELAYS_MS[attempt]));
        }
      }
    },
    subscribe(signal) {
      // \`on\` listens from this call, not from the first \`next()\`: a change published
      // between subscribing and reading is kept, not lost.
      const events = on(local, 'change', { signal });
      return {
        [Symbol.asyncIterator]: () => ({
          next: async (): Promise<IteratorResult<ChangeEvent>> => {
            const result = await events.next();
            return result.done ? { done: true, value: undefined } : { done: false, value: (result.value as [ChangeEvent])[0] };
          },
          return: async (): Promise<IteratorResult<ChangeEvent>> => {
            await events.return?.();
            return { done: true, value: undefined };
          },
        }),
      };
    },
    async close() {
      detach();
      local.removeAllListeners();
      await transport.close();
    },
  };
}
