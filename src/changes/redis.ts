/**
 * The change feed's Redis side, for several replicas: pub/sub fan-out (through Yoga's
 * `@graphql-yoga/redis-event-target`) and shared memory of which changes were already
 * published (`SET NX` with a TTL), so a webhook delivered to replica A — or delivered twice,
 * to A and to B — reaches every subscriber on every replica exactly once.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { ChangeEvent } from './types.ts';
import type { ChangeTransport } from './feed.ts';

export interface RedisTransportOptions {
  url: string;
  /** Prefix of every key and channel (replicas of one deployment share it). */
  namespace: string;
  /** How long a published event id is remembered. */
  dedupeTtlSeconds: number;
}

export function createRedisTransport(options: RedisTransportOptions): ChangeTransport {
  const commands = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const subscriber = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  // Connection errors surface as failed commands (publish retries them); unheard, ioredis prints each one.
  for (const client of [commands, subscriber]) client.on('error', () => undefined);
  const target = createRedisEventTarget({ publishClient: commands, subscribeClient: subscriber });
  const channel = `${options.namespace}:changes`;
  const listeners = new Set<(event: ChangeEvent) => void>();
  target.addEventListener(channel, (event) => {
    const detail = (event as CustomEvent<ChangeEvent>).detail;
    for (const listener of listeners) listener(detail);
  });
  // The event target subscribes lazily and does not say when Redis confirmed it; a change
  // published before that would be lost to this replica, so `ready` waits for it.
  const ready = subscriber.subscribe(channel).then(() => undefined);
  const key = (...parts: string[]) => [options.namespace, 'changes', ...parts].join(':');

  return {
    ready: () => ready,
    async claim(eventId) {
      return (await commands.set(key('seen', eventId), '1', 'EX', options.dedupeTtlSeconds, 'NX')) === 'OK';
    },
    async release(eventId) {
      await commands.del(key('seen', eventId));
    },
    async markPublished(recordKey, at, ttlSeconds) {
      // Keep the latest announcement: a slower replica must not move it back.
      await commands.eval(
        "local v = tonumber(redis.call('GET', KEYS[1]) or '0') if tonumber(ARGV[1]) > v then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end return 1",
        1,
        key('announced', recordKey),
        String(at),
        String(ttlSeconds),
      );
    },
    async lastPublished(recordKey) {
      const value = await commands.get(key('announced', recordKey));
      return value === null ? undefined : Number(value);
    },
    async fanOut(event) {
      await ready;
      target.dispatchEvent(new CustomEvent(channel, { detail: event }));
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      subscriber.disconnect();
      await commands.quit().catch(() => commands.disconnect());
    },
  };
}
