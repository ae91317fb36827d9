/**
 * The change feed's Redis side, for several replicas: pub/sub fan-out (ioredis's own, awaited:
 * Yoga's redis-event-target publishes without waiting, so a Redis that was down lost events
 * unnoticed) and shared memory of which changes were already
 * published (`SET NX` with a TTL), so a webhook delivered to replica A — or delivered twice,
 * to A and to B — reaches every subscriber on every replica exactly once.
 */
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

/** The feed's echo rule (ChangeTransport.isEcho) as one script, so replicas' check-and-mark never interleave. KEYS: the record's announcement, the vendor's report. */
const ECHO_SCRIPT = `
if ARGV[1] == 'gateway' then
  local old = tonumber(redis.call('GET', KEYS[1]) or '0')
  if tonumber(ARGV[3]) > old then redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4]) end
  local vendor = redis.call('GET', KEYS[2])
  if vendor and tonumber(vendor) >= tonumber(ARGV[2]) then return 1 end
  return 0
end
local announced = redis.call('GET', KEYS[1])
if announced and tonumber(announced) >= tonumber(ARGV[2]) then return 1 end
local old = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[2]) > old then redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4]) end
return 0`;

export function createRedisTransport(options: RedisTransportOptions): ChangeTransport {
  const commands = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const subscriber = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  // Connection errors surface as failed commands (publish retries them); unheard, ioredis prints each one.
  for (const client of [commands, subscriber]) client.on('error', () => undefined);
  const channel = `${options.namespace}:changes`;
  const listeners = new Set<(event: ChangeEvent) => void>();
  subscriber.on('message', (topic: string, message: string) => {
    if (topic !== channel) return;
    const event = JSON.parse(message) as ChangeEvent;
    for (const listener of listeners) listener(event);
  });
  // A change published before Redis confirmed the subscription would be lost to this replica,
  // so `ready` waits for it (and, handled here, a Redis down at start is no unhandled rejection).
  const ready = subscriber.subscribe(channel).then(() => undefined);
  ready.catch(() => undefined);
  const key = (...parts: string[]) => [options.namespace, 'changes', ...parts].join(':');

  return {
    ready: () => ready,
    async claim(eventId) {
      return (await commands.set(key('seen', eventId), '1', 'EX', options.dedupeTtlSeconds, 'NX')) === 'OK';
    },
    async release(eventId) {
      await commands.del(key('seen', eventId));
    },
    async isEcho(recordKey, change, now, ttlSeconds) {
      const echo = await commands.eval(
        ECHO_SCRIPT,
        2,
        key('announced', recordKey),
        key('announced', `vendor|${recordKey}`),
        change.source,
        String(change.occurredAt),
        String(now),
        String(ttlSeconds),
      );
      return echo === 1;
    },
    async fanOut(event) {
      await ready;
      // Awaited, so a Redis that is down fails the publication (which is then tried again) instead of losing the event.
      await commands.publish(channel, JSON.stringify(event));
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
