/**
 * The tally of deprecated-element uses: per (element, principal, operation name), how many
 * operations used it and when the first and the last did. It answers "who still calls
 * Deal.amount, from which operation, and since when" before a removal date comes.
 *
 * In memory by default. With REDIS_URL every replica adds to one hash in Redis (a Lua
 * script updates count, first and last seen of a key in one step), so the tally is the
 * deployment's, not one process's. Recording never delays a response: a Redis write runs
 * in the background and a failure is logged and lost (usage figures are advisory; the
 * Prometheus counter still counts the use). A read waits for this replica's writes still
 * in flight, so a caller reads its own operations.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import { compareText } from '../schema-contract/deprecation.ts';

export interface UsageKey {
  /** Schema coordinate of the deprecated element, e.g. `Deal.amount`. */
  field: string;
  /** The principal's id (`api-key:<name>`, `jwt:<sub>`), or `anonymous`. */
  principal: string;
  /** The operation's name, or `anonymous`. */
  operation: string;
}

export interface UsageRecord extends UsageKey {
  count: number;
  /** Epoch milliseconds. */
  firstSeen: number;
  lastSeen: number;
}

export interface UsageTally {
  /** One operation by `principal` used each of `fields` at `at` (epoch ms). */
  record(fields: readonly string[], principal: string, operation: string, at: number): void;
  /** Every record, sorted by field, then principal, then operation. */
  list(): Promise<UsageRecord[]>;
  close(): Promise<void>;
}

/** Keys beyond this many are not tallied (their uses are still counted in Prometheus). */
export const MAX_USAGE_KEYS = 10_000;

const keyOf = (field: string, principal: string, operation: string) => JSON.stringify([field, principal, operation]);

function sorted(records: UsageRecord[]): UsageRecord[] {
  return records.sort(
    (a, b) => compareText(a.field, b.field) || compareText(a.principal, b.principal) || compareText(a.operation, b.operation),
  );
}

export function createMemoryTally(): UsageTally {
  const records = new Map<string, UsageRecord>();
  return {
    record(fields, principal, operation, at) {
      for (const field of fields) {
        const key = keyOf(field, principal, operation);
        const found = records.get(key);
        if (found) {
          found.count += 1;
          found.firstSeen = Math.min(found.firstSeen, at);
          found.lastSeen = Math.max(found.lastSeen, at);
        } else if (records.size < MAX_USAGE_KEYS) {
          records.set(key, { field, principal, operation, count: 1, firstSeen: at, lastSeen: at });
        }
      }
    },
    async list() {
      return sorted([...records.values()].map((record) => ({ ...record })));
    },
    async close() {},
  };
}

/** KEYS[1] the hash; ARGV[1] the time (ms), ARGV[2] the key bound, ARGV[3..] the keys. Each value is "count first last". */
const RECORD_SCRIPT = `
local now = tonumber(ARGV[1])
for i = 3, #ARGV do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if current then
    local c, f, l = string.match(current, '^(%d+) (%d+) (%d+)$')
    redis.call('HSET', KEYS[1], ARGV[i], string.format('%d %d %d', tonumber(c) + 1, math.min(tonumber(f), now), math.max(tonumber(l), now)))
  elseif redis.call('HLEN', KEYS[1]) < tonumber(ARGV[2]) then
    redis.call('HSET', KEYS[1], ARGV[i], string.format('%d %d %d', 1, now, now))
  end
end
return 1
`;

export function createRedisTally(url: string, namespace: string, logger?: Logger): UsageTally {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  // A failed command reports its error to its caller; unheard, ioredis would also print each connection error.
  redis.on('error', () => undefined);
  const hash = `${namespace}:deprecation:usage`;
  const pending = new Set<Promise<unknown>>();
  return {
    record(fields, principal, operation, at) {
      if (fields.length === 0) return;
      const keys = fields.map((field) => keyOf(field, principal, operation));
      const write = redis
        .eval(RECORD_SCRIPT, 1, hash, String(at), String(MAX_USAGE_KEYS), ...keys)
        .catch((error: unknown) => logger?.warn({ err: error }, 'deprecated-field usage not recorded: redis unavailable'))
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async list() {
      await Promise.all(pending);
      const entries = await redis.hgetall(hash);
      return sorted(
        Object.entries(entries).flatMap(([key, value]) => {
          const [field, principal, operation] = JSON.parse(key) as [string, string, string];
          const [count, firstSeen, lastSeen] = value.split(' ').map(Number);
          return [{ field, principal, operation, count, firstSeen, lastSeen }];
        }),
      );
    },
    async close() {
      await Promise.all(pending);
      redis.disconnect();
    },
  };
}
