/**
 * The change feed's Redis side, for several replicas: fan-out through a Redis stream (each
 * replica reads it from where it stopped, so a dropped connection loses no change, as pub/sub
 * did; and publishing is awaited, so a Redis that is down fails it instead of losing the
 * change unnoticed) and shared memory of which changes were already
 * published (`SET NX` with a TTL), so a webhook delivered to replica A — or delivered twice,
 * to A and to B — reaches every subscriber on every replica exactly once. A Redis that
 * restarts empty forgets that memory; each replica keeps what it claimed and marked lately and
 * puts it back on every reconnect, so a webhook delivered again after the restart is still
 * known (found by the soak: one change reached a subscriber twice after a Redis restart).
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
local reported = redis.call('GET', KEYS[2])
if reported and tonumber(reported) >= tonumber(ARGV[2]) then return 1 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
return 0`;

/** Deletes the vendor's report (KEYS[1]) if it is still the one at ARGV[1]. */
const FORGET_REPORT_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

export function createRedisTransport(options: RedisTransportOptions): ChangeTransport {
  const commands = new Redis(options.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  // Its own connection: a blocking read holds it between changes.
  const reader = new Redis(options.url, {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    connectionName: `${options.namespace}:changes-reader`,
  });
  // Connection errors surface as failed commands (each is retried); unheard, ioredis prints each one.
  for (const client of [commands, reader]) client.on('error', () => undefined);
  const stream = `${options.namespace}:changes:stream`;
  const listeners = new Set<(event: ChangeEvent) => void>();
  let closed = false;
  const ready = follow(commands, reader, stream, listeners, () => closed);
  const key = (...parts: string[]) => [options.namespace, 'changes', ...parts].join(':');
  const memory = createRecentMemory();
  // The first 'ready' is the start; every later one is a reconnect, maybe to a Redis that lost it all.
  let connections = 0;
  commands.on('ready', () => {
    if (connections++ > 0) void memory.putBack(commands).catch(() => undefined);
  });

  return {
    ready: () => ready,
    async claim(eventId) {
      const claimed = (await commands.set(key('seen', eventId), '1', 'EX', options.dedupeTtlSeconds, 'NX')) === 'OK';
      if (claimed) memory.note(key('seen', eventId), 1, options.dedupeTtlSeconds);
      return claimed;
    },
    async release(eventId) {
      await commands.del(key('seen', eventId));
      memory.forget(key('seen', eventId));
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
      // What the script marked, as this replica's own memory of it.
      if (change.source === 'gateway') memory.note(key('announced', recordKey), now, ttlSeconds);
      else if (echo !== 1) memory.note(key('announced', `vendor|${recordKey}`), change.occurredAt, ttlSeconds);
      return echo === 1;
    },
    async forgetReport(recordKey, occurredAt) {
      const reportKey = key('announced', `vendor|${recordKey}`);
      await commands.eval(FORGET_REPORT_SCRIPT, 1, reportKey, String(occurredAt));
      memory.forget(reportKey);
    },
    async fanOut(event) {
      await ready;
      // Awaited, so a Redis that is down fails the publication (which is then tried again) instead of losing the event.
      const added = await commands
        .multi()
        .xadd(stream, 'MAXLEN', '~', STREAM_MAX_LENGTH, '*', 'event', JSON.stringify(event))
        .pexpire(stream, STREAM_TTL_MS)
        .exec();
      const failed = added?.find(([error]) => error)?.[0];
      if (!added || failed) throw failed ?? new Error('the change stream did not take the change');
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      reader.disconnect();
      await commands.quit().catch(() => commands.disconnect());
    },
  };
}

/**
 * Reads the stream for good, handing each change to the listeners; resolves once the reading
 * starts. Where this replica has read up to is kept: read from where it stopped, a replica
 * whose connection dropped (a Redis restart, a network blip) misses none of the changes
 * published meanwhile, as it would with pub/sub.
 */
function follow(
  commands: Redis,
  reader: Redis,
  stream: string,
  listeners: ReadonlySet<(event: ChangeEvent) => void>,
  isClosed: () => boolean,
): Promise<void> {
  let lastId: string | undefined;
  const start = async () => {
    const [newest] = await commands.xrevrange(stream, '+', '-', 'COUNT', 1);
    lastId = newest?.[0] ?? '0-0';
  };
  const ready = start();
  ready.catch(() => undefined);
  void (async () => {
    while (!isClosed()) {
      try {
        if (lastId === undefined) await start();
        const read = await reader.xread('COUNT', 500, 'BLOCK', READ_BLOCK_MS, 'STREAMS', stream, lastId!);
        for (const [, entries] of read ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            const event = JSON.parse(fields[1]) as ChangeEvent;
            for (const listener of listeners) listener(event);
          }
        }
      } catch {
        if (!isClosed()) await new Promise((resolve) => setTimeout(resolve, READ_RETRY_MS));
      }
    }
  })();
  return ready;
}

/** How long one blocking read waits for a change before it asks again (and notices a close). */
const READ_BLOCK_MS = 2_000;
const READ_RETRY_MS = 200;
/** The changes kept for replicas that fell behind (a reconnect reads from where it stopped). */
const STREAM_MAX_LENGTH = 10_000;
/** A deployment that publishes nothing for a day leaves no stream behind. */
const STREAM_TTL_MS = 24 * 3600 * 1000;

/** How many recent claims and marks a replica remembers to put back (the oldest go first). */
const RECENT_LIMIT = 20_000;

/** Keys this replica set lately (a value and when it expires), to put back into a Redis that restarted empty. */
function createRecentMemory() {
  const recent = new Map<string, { value: number; until: number }>();
  return {
    note(redisKey: string, value: number, ttlSeconds: number) {
      const prior = recent.get(redisKey);
      recent.delete(redisKey);
      recent.set(redisKey, { value: Math.max(value, prior?.value ?? value), until: Date.now() + ttlSeconds * 1000 });
      if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
    },
    forget(redisKey: string) {
      recent.delete(redisKey);
    },
    /** Sets each live key that Redis no longer holds (NX: a newer value set meanwhile wins). */
    async putBack(redis: Redis) {
      const now = Date.now();
      const batch = redis.pipeline();
      for (const [redisKey, { value, until }] of recent) {
        if (until <= now) recent.delete(redisKey);
        else batch.set(redisKey, String(value), 'PX', until - now, 'NX');
      }
      await batch.exec();
    },
  };
}
