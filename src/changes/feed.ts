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
 *
 * One vendor change heard twice: its webhook and the catch-up a replica runs when it starts
 * (each with its own event id), or a webhook sent again under a new id. A vendor change to a
 * record is not fanned out when a vendor change to it that occurred at or after it already
 * was: subscribers resolve the record fresh, so it would only show that state again.
 */
import { EventEmitter, on } from 'node:events';
import type { Invalidator } from './invalidate.ts';
import type { ChangeEvent, ChangeFeed } from './types.ts';

const SEEN_LIMIT = 10_000;
/** How long the gateway's own announcement of a record suppresses the vendor's echo of it. */
const ECHO_WINDOW_SECONDS = 600;
/** Waits between attempts to publish one change: a restarting Redis is back within them. */
const PUBLISH_RETRY_DELAYS_MS = [100, 250, 500, 1000, 1500];
/** After those, a change is tried again in the background every so often, for about two minutes. */
const BACKGROUND_RETRY_MS = 2_000;
const BACKGROUND_ATTEMPTS = 60;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Where claims, announcements and fan-out live: this process, or Redis for several replicas. */
export interface ChangeTransport {
  ready(): Promise<void>;
  /** True the first time an event id is claimed (within the dedupe TTL). */
  claim(eventId: string): Promise<boolean>;
  /** Gives a claimed id back, so a publication that failed after claiming can be tried again. */
  release(eventId: string): Promise<void>;
  /**
   * The echo rule's check and mark in one atomic step (see the top of this file): true when
   * the change is an echo not to fan out. A gateway change marks the record announced at
   * `now` and is an echo when the vendor already reported a change at or after it occurred;
   * a vendor change is an echo when the gateway announced the record at or after it occurred,
   * or the vendor reported a change to it at or after that (the same change heard twice), else
   * it marks the vendor's report. Two separate steps would let a mutation's announcement and
   * its own webhook, published at the same moment, each miss the other and both go out.
   */
  isEcho(
    recordKey: string,
    change: { source: ChangeEvent['source']; occurredAt: number },
    now: number,
    ttlSeconds: number,
  ): Promise<boolean>;
  /** Takes back the vendor's report that `isEcho` marked, when the change then was not fanned out after all. */
  forgetReport(recordKey: string, occurredAt: number): Promise<void>;
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
    async isEcho(key, change, now, ttlSeconds) {
      const at = (k: string) => {
        const entry = announced.get(k);
        return entry && entry.until > Date.now() ? entry.at : undefined;
      };
      const mark = (k: string, value: number) => {
        const prior = announced.get(k);
        if (!prior || prior.at < value) announced.set(k, { at: value, until: Date.now() + ttlSeconds * 1000 });
        if (announced.size > SEEN_LIMIT) announced.delete(announced.keys().next().value as string);
      };
      if (change.source === 'gateway') {
        mark(key, now);
        const vendorAt = at(`vendor|${key}`);
        return vendorAt !== undefined && vendorAt >= change.occurredAt;
      }
      const announcedAt = at(key);
      if (announcedAt !== undefined && announcedAt >= change.occurredAt) return true;
      const reportedAt = at(`vendor|${key}`);
      if (reportedAt !== undefined && reportedAt >= change.occurredAt) return true;
      mark(`vendor|${key}`, change.occurredAt);
      return false;
    },
    async forgetReport(key, occurredAt) {
      if (announced.get(`vendor|${key}`)?.at === occurredAt) announced.delete(`vendor|${key}`);
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
  let closed = false;

  /** Keeps trying to publish a change whose publication failed, for a while, while the feed is open. */
  async function publishInBackground(event: ChangeEvent): Promise<void> {
    for (let attempt = 0; attempt < BACKGROUND_ATTEMPTS && !closed; attempt++) {
      await sleep(BACKGROUND_RETRY_MS);
      if (closed) return;
      try {
        return await publishOnce(event);
      } catch {
        // Still down: the next round.
      }
    }
  }

  async function publishOnce(event: ChangeEvent): Promise<void> {
    if (!(await transport.claim(event.eventId))) return;
    let reported = false;
    try {
      await options.invalidate(event);
      // A gateway change: the vendor's webhook can beat the mutation's own announcement (the
      // mutation still reads the record back); if it reported a change at or after our write
      // was sent, subscribers already have this state.
      if (await transport.isEcho(recordKey(event), event, Date.now(), ECHO_WINDOW_SECONDS)) return;
      reported = event.source !== 'gateway';
      await transport.fanOut(event);
    } catch (error) {
      // Not published after all: the next attempt (or the vendor's retry) must find it neither claimed nor reported.
      await transport.release(event.eventId).catch(() => undefined);
      if (reported) await transport.forgetReport(recordKey(event), event.occurredAt).catch(() => undefined);
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
          if (attempt < PUBLISH_RETRY_DELAYS_MS.length) await sleep(PUBLISH_RETRY_DELAYS_MS[attempt]);
          else {
            // The caller hears of the failure now; the change is still announced once Redis is back.
            void publishInBackground(event);
            throw error;
          }
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
      closed = true;
      detach();
      local.removeAllListeners();
      await transport.close();
    },
  };
}
