/**
 * Client-side vendor-quota budgets: a sliding-window log per system, credential and bucket
 * (Slack's methods, HubSpot's search), so the gateway slows itself down before the vendor starts answering 429.
 *
 * The vendors count calls in a rolling window (HubSpot: 10 s), so the budget does too: it
 * remembers each call of the last window and grants a call only while fewer than the limit
 * are in it. A token bucket would not do: after an idle spell it lets the whole limit through
 * at once and then refills within the same window, up to twice the limit in one window.
 * A call holds its slot from the moment it is granted until its answer is back, and for one
 * window after that: the vendor saw it somewhere in between, so whatever the network's delays,
 * no window of the vendor's length holds more calls than the limit.
 *
 * Limits start from the vendors' documented quotas and adapt to what each response says:
 * HubSpot's `X-HubSpot-RateLimit-Remaining` fills the window up to what HubSpot still allows,
 * and a 429's wait (Retry-After, HubSpot's policy) fills it for that long.
 *
 * With Redis the log lives in Redis (sorted sets of call timestamps) and is read and updated
 * by one Lua script using Redis's own clock, so N replicas draw from one window and together
 * stay under the quota. Without Redis it lives in memory (the same algorithm). Each replica
 * also keeps its own calls of the window. When Redis fails, it meters itself from those for a
 * while, rather than taking the gateway down with the cache server, allowed only its share of
 * the limit (over the replicas that drew from the window lately), so the replicas together
 * still stay under it. When it reconnects, to a Redis that may have restarted empty, it puts
 * them back: the vendor still counts them.
 *
 * A full window makes a caller wait briefly: at most `maxWaitMs` in all, never past the
 * request's deadline. A call that cannot get a slot within that fails at once with
 * RATE_LIMITED and `retryAfter` (when the window frees a slot).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { GatewayError, type SystemName } from '../errors.ts';
import type { BudgetLimit } from '../systems/catalog.ts';
import { budgetBuckets, documentedLimit } from './budget-buckets.ts';
import type { BudgetJournal } from './budget-journal.ts';
import { remainingMs, sleepUnlessAborted } from './deadline.ts';

export type { BudgetLimit };
export { budgetBuckets, documentedLimit };

/** What the vendor said about its window: calls still allowed in it, or "no calls for this long". */
export interface VendorHint {
  remaining?: number;
  blockMs?: number;
}

/** Where the windows live. Call ids are unique per granted call. */
/** A call this replica made, as its own window remembers it: ended (counting down from `at`) or still in flight. */
export interface OwnCall {
  id: string;
  at: number;
  inFlight: boolean;
}

export interface WindowStore {
  /**
   * Grants call `id` a slot if the window has one (`waitMs` 0), else says how long until one
   * frees. A shared store also says how many replicas drew from the window lately.
   */
  take(key: string, limit: BudgetLimit, id: string): Promise<{ waitMs: number; left: number; replicas?: number }>;
  /** Call `id` is over: its slot stays taken for one window from now. */
  release(key: string, limit: BudgetLimit, id: string): Promise<void>;
  /** Fills the window so that it reflects what the vendor said. */
  adjust(key: string, limit: BudgetLimit, id: string, hint: VendorHint): Promise<void>;
  /** Puts calls back into the window (a shared store that lost them, e.g. a Redis restarted without persistence). */
  seed?(key: string, limit: BudgetLimit, calls: readonly OwnCall[]): Promise<void>;
  close(): Promise<void>;
}

export interface MemoryWindowStore extends WindowStore {
  /** The calls the window holds now (for a replica's own window: what it would put back into a shared one). */
  calls(key: string, limit: BudgetLimit): OwnCall[];
  /** Every window key it holds. */
  keys(): string[];
  /** Counts calls made before this process started (from its journal) as ended at the given moments. */
  restore(key: string, calls: readonly { id: string; at: number }[]): void;
}

/**
 * A granted call whose release never comes (its replica died mid-call) holds its slot for at
 * most this long, then counts as ended then. Longer than any call's deadline.
 */
export const IN_FLIGHT_LEASE_MS = 60_000;

interface WindowState {
  /** Ended calls (and the vendor's phantom calls): id → when the slot started to count down. */
  ended: Map<string, number>;
  /** Calls in flight: id → lease expiry. */
  flying: Map<string, number>;
}

/** The moments (ms) at which the calls now counted free their slots, soonest first. */
function freeTimes(state: WindowState, windowMs: number, now: number): number[] {
  const times: number[] = [];
  for (const at of state.ended.values()) times.push(at + windowMs);
  for (const _ of state.flying) times.push(now + windowMs);
  return times.sort((a, b) => a - b);
}

export function createMemoryWindowStore(): MemoryWindowStore {
  const windows = new Map<string, WindowState>();
  const current = (key: string, limit: BudgetLimit, now: number): WindowState => {
    let state = windows.get(key);
    if (!state) windows.set(key, (state = { ended: new Map(), flying: new Map() }));
    for (const [id, until] of state.flying) {
      if (until <= now) {
        state.flying.delete(id);
        state.ended.set(id, until);
      }
    }
    for (const [id, at] of state.ended) if (at <= now - limit.windowMs) state.ended.delete(id);
    return state;
  };
  // Only the latest `limit` ended calls can ever decide a grant.
  const trim = (state: WindowState, limit: BudgetLimit) => {
    if (state.ended.size <= limit.limit) return;
    const keep = new Set(
      [...state.ended]
        .sort((a, b) => b[1] - a[1])
        .slice(0, limit.limit)
        .map(([id]) => id),
    );
    for (const id of state.ended.keys()) if (!keep.has(id)) state.ended.delete(id);
  };
  return {
    async take(key, limit, id) {
      const now = Date.now();
      const state = current(key, limit, now);
      const count = state.ended.size + state.flying.size;
      if (count < limit.limit) {
        state.flying.set(id, now + IN_FLIGHT_LEASE_MS);
        return { waitMs: 0, left: limit.limit - count - 1 };
      }
      const times = freeTimes(state, limit.windowMs, now);
      return { waitMs: Math.max(1, Math.ceil(times[count - limit.limit] - now)), left: 0 };
    },
    async release(key, limit, id) {
      const now = Date.now();
      const state = current(key, limit, now);
      state.flying.delete(id);
      // Date.now() truncates: the call ended before the next millisecond at the latest.
      state.ended.set(id, now + 1);
      trim(state, limit);
    },
    async adjust(key, limit, id, hint) {
      const now = Date.now();
      const state = current(key, limit, now);
      if (hint.remaining !== undefined) {
        const free = limit.limit - state.ended.size - state.flying.size;
        for (let i = 0; i < free - Math.max(0, hint.remaining); i++) state.ended.set(`${id}:${i}`, now);
      }
      if (hint.blockMs !== undefined && hint.blockMs > 0) {
        // A full window of calls that free their slots when the vendor's block ends.
        for (let i = 0; i < limit.limit; i++) state.ended.set(`${id}:b${i}`, now + hint.blockMs - limit.windowMs);
      }
      trim(state, limit);
    },
    calls(key, limit) {
      const state = current(key, limit, Date.now());
      return [
        ...[...state.ended].map(([id, at]) => ({ id, at, inFlight: false })),
        ...[...state.flying].map(([id, until]) => ({ id, at: until, inFlight: true })),
      ];
    },
    keys: () => [...windows.keys()],
    restore(key, calls) {
      let state = windows.get(key);
      if (!state) windows.set(key, (state = { ended: new Map(), flying: new Map() }));
      for (const { id, at } of calls) if (!state.flying.has(id)) state.ended.set(id, Math.max(state.ended.get(id) ?? 0, at));
    },
    async close() {},
  };
}

// The same algorithm in one atomic script per operation, on Redis's clock so replicas' clocks
// cannot skew it. KEYS[1]: ended calls (score: when their countdown started); KEYS[2]: calls in
// flight (score: lease expiry); KEYS[3]: replicas that took a slot (score: when they last did).
// ARGV: limit, window ms, op, call id, lease ms, remaining, block ms, replica id.
const WINDOW_SCRIPT = `
local t = redis.call('TIME')
local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = math.floor(us / 1000)
-- An ended call is stamped no earlier than it really ended, to the millisecond.
local nowUp = math.ceil(us / 1000)
local cap = tonumber(ARGV[1])
local win = tonumber(ARGV[2])
local op = ARGV[3]
local id = ARGV[4]
local lease = tonumber(ARGV[5])
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'WITHSCORES')
for i = 1, #stale, 2 do
  redis.call('ZADD', KEYS[1], stale[i + 1], stale[i])
  redis.call('ZREM', KEYS[2], stale[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - win)
local ended = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local flying = redis.call('ZCARD', KEYS[2])
local count = #ended / 2 + flying
local result = { 0, 0, 1 }
if op == 'take' then
  redis.call('ZADD', KEYS[3], now, ARGV[8])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - win)
  local replicas = redis.call('ZCARD', KEYS[3])
  if count < cap then
    redis.call('ZADD', KEYS[2], now + lease, id)
    result = { 0, cap - count - 1, replicas }
  else
    local times = {}
    for i = 2, #ended, 2 do times[#times + 1] = tonumber(ended[i]) + win end
    for i = 1, flying do times[#times + 1] = now + win end
    table.sort(times)
    result = { math.max(1, math.ceil(times[count - cap + 1] - now)), 0, replicas }
  end
elseif op == 'release' then
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[1], nowUp, id)
else
  local remaining = tonumber(ARGV[6])
  local block = tonumber(ARGV[7])
  if remaining >= 0 then
    for i = 1, cap - count - remaining do redis.call('ZADD', KEYS[1], now, id .. ':' .. i) end
  end
  if block > 0 then
    for i = 1, cap do redis.call('ZADD', KEYS[1], now + block - win, id .. ':b' .. i) end
  end
end
-- Only the latest cap ended calls can ever decide a grant.
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(cap + 1))
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local ttl = lease + win + 1000
if #top == 2 then ttl = math.max(ttl, math.ceil(tonumber(top[2]) + win - now) + 1000) end
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ttl)
return result
`;

// Puts a replica's own calls back into a window that lost them, and the replica among those
// drawing from it. KEYS as above; ARGV: ttl ms, replica id, then id, score, 'e' (ended) or 'f'
// (in flight) for each call.
const SEED_SCRIPT = `
local t = redis.call('TIME')
redis.call('ZADD', KEYS[3], math.floor(tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000), ARGV[2])
for i = 3, #ARGV, 3 do
  if ARGV[i + 2] == 'e' then redis.call('ZADD', KEYS[1], 'NX', ARGV[i + 1], ARGV[i]) else redis.call('ZADD', KEYS[2], 'NX', ARGV[i + 1], ARGV[i]) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[1])
return 1
`;

/** How long one budget script may take before the replica falls back to its own window. */
const REDIS_SCRIPT_TIMEOUT_MS = 1_000;
/** The same while the connection is still being made (startup): connecting takes longer. */
const REDIS_CONNECTING_TIMEOUT_MS = 3_000;

export function createRedisWindowStore(redis: Redis, prefix: string): WindowStore {
  // One hash tag, so every key of a window lives on one Redis Cluster slot.
  const keysOf = (key: string) => [`${prefix}{${key}}:ended`, `${prefix}{${key}}:flying`, `${prefix}{${key}}:replicas`];
  const replica = randomUUID();
  const run = async (key: string, limit: BudgetLimit, op: 'take' | 'release' | 'adjust', id: string, hint: VendorHint = {}) => {
    let timer: NodeJS.Timeout | undefined;
    const limitMs = redis.status === 'ready' ? REDIS_SCRIPT_TIMEOUT_MS : REDIS_CONNECTING_TIMEOUT_MS;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`budget script took over ${limitMs} ms`)), limitMs);
    });
    try {
      const remaining = Math.floor(hint.remaining ?? -1);
      const args = [limit.limit, limit.windowMs, op, id, IN_FLIGHT_LEASE_MS, remaining, Math.ceil(hint.blockMs ?? 0), replica];
      const script = redis.eval(WINDOW_SCRIPT, 3, ...keysOf(key), ...args) as Promise<[number, number, number]>;
      const [waitMs, left, replicas] = await Promise.race([script, timedOut]);
      return { waitMs: Number(waitMs), left: Number(left), replicas: Number(replicas) };
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    take: (key, limit, id) => run(key, limit, 'take', id),
    // The script's answer means nothing to a release or an adjustment.
    release: (key, limit, id) => run(key, limit, 'release', id).then(() => undefined),
    adjust: (key, limit, id, hint) => run(key, limit, 'adjust', id, hint).then(() => undefined),
    async seed(key, limit, calls) {
      if (calls.length === 0) return;
      const args = calls.flatMap((call) => [call.id, call.at, call.inFlight ? 'f' : 'e']);
      await redis.eval(SEED_SCRIPT, 3, ...keysOf(key), IN_FLIGHT_LEASE_MS + limit.windowMs + 1000, replica, ...args);
    },
    async close() {},
  };
}

export interface QuotaBudgetOptions {
  system: SystemName;
  /** Identifies the credential in keys without revealing it (see `credentialScope`). */
  scope: string;
  credential: string;
  /** The vendor plan the documented limits follow (the system's plan setting, e.g. HubSpot's tier). */
  plan?: string;
  /** Overrides every bucket's documented limit; `off` disables the budget. */
  override?: BudgetLimit | 'off';
  store: WindowStore;
  /** The longest one call waits for a slot in all, however many times it looks. */
  maxWaitMs: number;
  /** Where this replica keeps its own calls across a restart (with a shared store). */
  journal?: BudgetJournal;
  logger?: Logger;
}

/** Ends a granted call: call it once the vendor's answer is in (or the call failed). */
export type ReleaseSlot = () => void;

export interface QuotaBudget {
  readonly enabled: boolean;
  /** Takes one call's slot for `route`, waiting briefly; rejects RATE_LIMITED when the window is full. */
  acquire(route: string, signal?: AbortSignal): Promise<ReleaseSlot>;
  /** Adapts to what the vendor said: remaining calls in its window, or "wait this long". */
  observe(route: string, hint: VendorHint): void;
  /** Free slots per bucket at the last look (for /readiness and metrics). */
  left(): Record<string, number>;
  /** Each bucket's limit per window, for the buckets `left` lists (the health model's quota alert reads left as a share of it). */
  limits(): Record<string, number>;
  /** Puts this replica's calls of the last window back into the shared store (after Redis came back empty). */
  reseed(): Promise<void>;
}

const STORE_COOL_DOWN_MS = 5_000;
const NO_SLOT: ReleaseSlot = () => {};

interface Slots {
  /** One attempt at a slot, with how to give it back once the call is over. */
  take(key: string, limit: BudgetLimit, id: string): Promise<{ waitMs: number; left: number; release: () => void }>;
  adjust(key: string, limit: BudgetLimit, id: string, hint: VendorHint): void;
  reseed(): Promise<void>;
}

/**
 * The window as one replica draws from it: the shared store, with this replica's own calls
 * kept beside it — what it meters itself by while the shared store is away (its share only),
 * and what it puts back into a store that came back empty. A store that is not shared is used as is.
 */
/** The same window with no limit: for bookkeeping of calls the shared window already granted. */
const unbounded = (limit: BudgetLimit): BudgetLimit => ({ ...limit, limit: Number.MAX_SAFE_INTEGER });

/**
 * What this replica's previous process granted and the vendor still counts: its own calls too.
 * Each counts down from its end. One that never ended was cut off by that process's death,
 * before this start and at most a lease after its grant: counted from its grant, the vendor
 * could still count it after this window forgot it.
 */
function restoreFromJournal(
  mine: MemoryWindowStore,
  limits: Map<string, BudgetLimit>,
  journal: { of: string; at: BudgetJournal } | undefined,
): void {
  const previous = journal?.at.live(IN_FLIGHT_LEASE_MS) ?? [];
  const endedIds = new Set(previous.filter((entry) => entry.ended).map((entry) => entry.id));
  const startedAt = Date.now();
  for (const entry of previous) {
    if (!entry.key.startsWith(journal!.of) || (!entry.ended && endedIds.has(entry.id))) continue;
    const at = entry.ended ? entry.at : Math.min(startedAt, entry.at + IN_FLIGHT_LEASE_MS);
    mine.restore(entry.key, [{ id: entry.id, at }]);
    if (!limits.has(entry.key)) limits.set(entry.key, { limit: Number.MAX_SAFE_INTEGER, windowMs: entry.windowMs });
  }
}

function replicaSlots(
  store: WindowStore,
  onFailure: (error: unknown, share: string) => void,
  journal?: { of: string; at: BudgetJournal },
): Slots {
  const mine = createMemoryWindowStore();
  const shared = store.seed !== undefined;
  const limits = new Map<string, BudgetLimit>();
  restoreFromJournal(mine, limits, journal);
  // How many replicas drew from the shared window lately, and per window what the others had
  // taken at the last look: alone, a replica may add only its share of what was then free.
  let replicas = 1;
  const lastLook = new Map<string, { own: number; others: number }>();
  let fallbackUntil = 0;
  const failed = (error: unknown) => {
    fallbackUntil = Date.now() + STORE_COOL_DOWN_MS;
    onFailure(error, replicas > 1 ? `1/${replicas} of what was free` : 'all');
  };
  const ownCount = (key: string, limit: BudgetLimit) => mine.calls(key, unbounded(limit)).length;
  /** A journal line as a call is granted and as it ends. */
  const note = (key: string, id: string, limit: BudgetLimit, ended = false) =>
    journal?.at.record({ key, id, at: Date.now(), windowMs: limit.windowMs, ...(ended ? { ended } : {}) });
  /**
   * What this replica may hold in its own window while alone: its calls at the last shared look
   * plus its share of what was free then, and never more than its share of the whole limit
   * (another replica's last look may be older than the calls this one made since).
   */
  const alone = (key: string, limit: BudgetLimit): BudgetLimit => {
    const { own, others } = lastLook.get(key) ?? { own: 0, others: 0 };
    const free = Math.max(0, limit.limit - others - own);
    return { ...limit, limit: Math.floor(Math.min(own + free / replicas, limit.limit / replicas)) };
  };
  const inUse = () => (!shared || Date.now() >= fallbackUntil ? store : mine);
  async function reseed(): Promise<void> {
    if (!shared) return;
    try {
      for (const key of mine.keys()) {
        const limit = limits.get(key);
        if (limit) await store.seed!(key, limit, mine.calls(key, unbounded(limit)));
      }
      fallbackUntil = 0;
    } catch (error) {
      failed(error);
    }
  }
  // Calls from the journal go back into the shared window before this process takes a slot.
  const restored = limits.size > 0 ? reseed() : Promise.resolve();

  return {
    async take(key, limit, id) {
      await restored;
      limits.set(key, limit);
      if (!shared) {
        const taken = await store.take(key, limit, id);
        return { ...taken, release: () => void store.release(key, limit, id).catch(failed) };
      }
      if (Date.now() >= fallbackUntil) {
        try {
          const taken = await store.take(key, limit, id);
          replicas = Math.max(1, taken.replicas ?? 1);
          if (taken.waitMs === 0) await mine.take(key, unbounded(limit), id).then(() => note(key, id, limit));
          // The shared window now holds limit − left calls (at least, when full); the rest of them are the others'.
          const own = ownCount(key, limit);
          lastLook.set(key, { own, others: Math.max(0, limit.limit - taken.left - own) });
          if (taken.waitMs > 0) return { ...taken, release: () => {} };
          const release = () => {
            void mine.release(key, unbounded(limit), id).then(() => note(key, id, limit, true));
            store.release(key, limit, id).catch(failed);
          };
          return { ...taken, release };
        } catch (error) {
          failed(error);
        }
      }
      const own = alone(key, limit);
      // Nothing of the window is this replica's to take: wait for the shared store, or for a window to pass.
      if (own.limit < 1) return { waitMs: Math.min(limit.windowMs, STORE_COOL_DOWN_MS), left: 0, release: () => {} };
      const taken = await mine.take(key, own, id);
      if (taken.waitMs === 0) note(key, id, limit);
      return { ...taken, release: () => void mine.release(key, own, id).then(() => note(key, id, limit, true)) };
    },
    adjust(key, limit, id, hint) {
      inUse().adjust(key, limit, id, hint).catch(failed);
    },
    reseed,
  };
}

export function createQuotaBudget(options: QuotaBudgetOptions): QuotaBudget {
  const { system, maxWaitMs, logger } = options;
  const enabled = options.override !== 'off';
  const lastLeft: Record<string, number> = {};
  const slots = replicaSlots(
    options.store,
    (error, share) =>
      logger?.warn(
        { system, err: error instanceof Error ? error.message : String(error), share },
        "quota budget store failed; metering this replica's share in memory for a while",
      ),
    options.journal && { of: `${system}:`, at: options.journal },
  );
  const limitOf = (bucket: string): BudgetLimit =>
    options.override && options.override !== 'off' ? options.override : documentedLimit(system, bucket, options.credential, options.plan);
  const keyOf = (bucket: string) => `${system}:${options.scope}:${bucket}`;
  const takeSlot = async (bucket: string, waitUntil: number, signal: AbortSignal | undefined): Promise<ReleaseSlot> => {
    const limit = limitOf(bucket);
    const key = keyOf(bucket);
    for (;;) {
      const taken = await slots.take(key, limit, randomUUID());
      lastLeft[bucket] = Math.max(0, Math.floor(taken.left));
      if (taken.waitMs === 0) return () => taken.release();
      if (taken.waitMs > waitUntil - Date.now()) {
        throw new GatewayError('RATE_LIMITED', `The ${system} quota budget is spent for now`, {
          service: system,
          retryAfter: Math.max(1, Math.ceil(taken.waitMs / 1000)),
        });
      }
      await sleepUnlessAborted(taken.waitMs, signal, () => signal?.reason);
    }
  };

  return {
    enabled,
    async acquire(route, signal) {
      if (!enabled) return NO_SLOT;
      // One budget for the whole wait: a call that loses the race for a freed slot does not
      // start a new wait.
      const waitUntil = Date.now() + Math.min(maxWaitMs, remainingMs(signal));
      const taken: ReleaseSlot[] = [];
      const releaseAll = () => taken.forEach((release) => release());
      try {
        for (const bucket of budgetBuckets(system, route)) taken.push(await takeSlot(bucket, waitUntil, signal));
      } catch (error) {
        // Released as if sent: it keeps its place for a window, which wastes it but never overshoots.
        releaseAll();
        throw error;
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        releaseAll();
      };
    },
    observe(route, hint) {
      if (!enabled) return;
      const [bucket] = budgetBuckets(system, route);
      const remaining = hint.remaining !== undefined && Number.isFinite(hint.remaining) ? Math.max(0, hint.remaining) : undefined;
      const blockMs = hint.blockMs !== undefined && hint.blockMs > 0 ? hint.blockMs : undefined;
      if (remaining === undefined && blockMs === undefined) return;
      slots.adjust(keyOf(bucket), limitOf(bucket), randomUUID(), { remaining, blockMs });
    },
    left: () => ({ ...lastLeft }),
    limits: () => Object.fromEntries(Object.keys(lastLeft).map((bucket) => [bucket, limitOf(bucket).limit])),
    reseed: () => slots.reseed(),
  };
}
