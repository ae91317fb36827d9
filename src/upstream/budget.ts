/**
 * Client-side vendor-quota budgets: a token bucket per system, credential and (for Slack)
 * method tier, so the gateway slows itself down before the vendor starts answering 429.
 *
 * Limits start from the vendors' documented quotas and adapt to what each response says:
 * HubSpot's `X-HubSpot-RateLimit-Remaining` caps the bucket at what HubSpot still allows,
 * and a 429's wait (Retry-After, HubSpot's policy) empties the bucket for that long.
 *
 * With Redis the bucket lives in Redis and is updated by one Lua script using Redis's own
 * clock, so N replicas draw from one bucket and together stay under the quota. Without
 * Redis it lives in memory. When Redis fails, each replica meters itself with an
 * in-memory bucket for a while (the vendor's own 429 is the backstop for the excess),
 * rather than taking the gateway down with the cache server.
 *
 * A spent bucket makes a caller wait briefly (at most `maxWaitMs`, never past the
 * request's deadline); a longer wait fails at once with RATE_LIMITED and `retryAfter`.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { GatewayError, type SystemName } from '../errors.ts';
import { remainingMs, sleepUnlessAborted } from './deadline.ts';

export interface BudgetLimit {
  /** Calls allowed per window. */
  limit: number;
  windowMs: number;
}

/** Slack's documented per-method tiers (api.slack.com/apis/rate-limits), per workspace and app. */
export const SLACK_TIERS = {
  tier1: { limit: 1, windowMs: 60_000 },
  tier2: { limit: 20, windowMs: 60_000 },
  tier3: { limit: 50, windowMs: 60_000 },
  tier4: { limit: 100, windowMs: 60_000 },
  // chat.postMessage is "special": about one message per second per channel.
  special: { limit: 60, windowMs: 60_000 },
} as const satisfies Record<string, BudgetLimit>;

const SLACK_METHOD_TIERS: Record<string, keyof typeof SLACK_TIERS> = {
  'users.list': 'tier2',
  'conversations.list': 'tier2',
  'users.info': 'tier4',
  'users.lookupByEmail': 'tier3',
  'users.profile.get': 'tier4',
  'conversations.info': 'tier3',
  'conversations.history': 'tier3',
  'conversations.replies': 'tier3',
  'conversations.members': 'tier4',
  'chat.postMessage': 'special',
  'chat.update': 'tier3',
  'auth.test': 'tier4',
};

/** HubSpot private apps: 100 calls per 10 s (Professional/Enterprise: 190; override with UPSTREAM_BUDGET_CRM). */
export const HUBSPOT_LIMIT: BudgetLimit = { limit: 100, windowMs: 10_000 };
/** Stripe: 100 read operations per second in live mode, 25 in test mode. */
export const STRIPE_LIVE_LIMIT: BudgetLimit = { limit: 100, windowMs: 1_000 };
export const STRIPE_TEST_LIMIT: BudgetLimit = { limit: 25, windowMs: 1_000 };

/** The bucket a request draws from: Slack's quotas are per method, the others' per credential. */
export function budgetBucket(system: SystemName, route: string): string {
  if (system !== 'chat') return 'all';
  const method = /\/([\w.]+)$/.exec(route)?.[1] ?? 'other';
  return SLACK_METHOD_TIERS[method] ? method : 'other';
}

/** The documented limit of one bucket, before any override. */
export function documentedLimit(system: SystemName, bucket: string, credential: string): BudgetLimit {
  if (system === 'crm') return HUBSPOT_LIMIT;
  if (system === 'billing') return /^(sk|rk)_live_/.test(credential) ? STRIPE_LIVE_LIMIT : STRIPE_TEST_LIMIT;
  return SLACK_TIERS[SLACK_METHOD_TIERS[bucket] ?? 'tier3'];
}

/** Where bucket state lives. `adjust` lowers the tokens to at most `maxTokens`. */
export interface BucketStore {
  /** Takes one token if there is one: 0, else the ms until one will be there. */
  take(key: string, limit: BudgetLimit): Promise<{ waitMs: number; tokens: number }>;
  adjust(key: string, limit: BudgetLimit, maxTokens: number): Promise<void>;
  close(): Promise<void>;
}

interface BucketState {
  tokens: number;
  at: number;
}

function refill(state: BucketState, limit: BudgetLimit, now: number): number {
  return Math.min(limit.limit, state.tokens + ((now - state.at) * limit.limit) / limit.windowMs);
}

export function createMemoryBucketStore(): BucketStore {
  const buckets = new Map<string, BucketState>();
  const current = (key: string, limit: BudgetLimit, now: number): BucketState => {
    const state = buckets.get(key) ?? { tokens: limit.limit, at: now };
    const refreshed = { tokens: refill(state, limit, now), at: now };
    buckets.set(key, refreshed);
    return refreshed;
  };
  return {
    async take(key, limit) {
      const state = current(key, limit, Date.now());
      if (state.tokens >= 1) {
        state.tokens -= 1;
        return { waitMs: 0, tokens: state.tokens };
      }
      return { waitMs: Math.ceil(((1 - state.tokens) * limit.windowMs) / limit.limit), tokens: state.tokens };
    },
    async adjust(key, limit, maxTokens) {
      const state = current(key, limit, Date.now());
      state.tokens = Math.min(state.tokens, maxTokens);
    },
    async close() {},
  };
}

// One atomic read-refill-update per call, on Redis's clock so replicas' clocks cannot skew it.
const BUCKET_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local win = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(s[1])
local at = tonumber(s[2])
if tokens == nil or at == nil then tokens = cap; at = now end
tokens = math.min(cap, tokens + (now - at) * cap / win)
local wait = 0
if ARGV[3] == 'take' then
  if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * win / cap) end
else
  tokens = math.min(tokens, tonumber(ARGV[4]))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(win * 2 + (1 - math.min(tokens, 0)) * win / cap))
return { wait, tostring(tokens) }
`;

/** How long one budget script may take before the replica falls back to its own bucket. */
const REDIS_SCRIPT_TIMEOUT_MS = 1_000;
/** The same while the connection is still being made (startup): connecting takes longer. */
const REDIS_CONNECTING_TIMEOUT_MS = 3_000;

export function createRedisBucketStore(redis: Redis, prefix: string): BucketStore {
  const run = async (key: string, limit: BudgetLimit, op: 'take' | 'adjust', arg = 0) => {
    let timer: NodeJS.Timeout | undefined;
    const limitMs = redis.status === 'ready' ? REDIS_SCRIPT_TIMEOUT_MS : REDIS_CONNECTING_TIMEOUT_MS;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`budget script took over ${limitMs} ms`)), limitMs);
    });
    try {
      const script = redis.eval(BUCKET_SCRIPT, 1, `${prefix}${key}`, limit.limit, limit.windowMs, op, arg) as Promise<[number, string]>;
      const [wait, tokens] = await Promise.race([script, timedOut]);
      return { waitMs: Number(wait), tokens: Number(tokens) };
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    take: (key, limit) => run(key, limit, 'take'),
    async adjust(key, limit, maxTokens) {
      await run(key, limit, 'adjust', maxTokens);
    },
    async close() {},
  };
}

export interface QuotaBudgetOptions {
  system: SystemName;
  /** Identifies the credential in keys without revealing it (see `credentialScope`). */
  scope: string;
  credential: string;
  /** Overrides every bucket's documented limit; `off` disables the budget. */
  override?: BudgetLimit | 'off';
  store: BucketStore;
  maxWaitMs: number;
  logger?: Logger;
}

export interface QuotaBudget {
  readonly enabled: boolean;
  /** Takes one call's quota for `route`, waiting briefly; rejects RATE_LIMITED when spent. */
  acquire(route: string, signal?: AbortSignal): Promise<void>;
  /** Adapts to what the vendor said: remaining calls in its window, or "wait this long". */
  observe(route: string, hint: { remaining?: number; blockMs?: number }): void;
  /** Tokens left per bucket at the last look (for /readiness and metrics). */
  left(): Record<string, number>;
}

const STORE_COOL_DOWN_MS = 5_000;

export function createQuotaBudget(options: QuotaBudgetOptions): QuotaBudget {
  const { system, store, maxWaitMs, logger } = options;
  const enabled = options.override !== 'off';
  const lastLeft: Record<string, number> = {};
  const fallback = createMemoryBucketStore();
  let fallbackUntil = 0;
  const activeStore = () => (Date.now() < fallbackUntil ? fallback : store);

  const limitOf = (bucket: string): BudgetLimit =>
    options.override && options.override !== 'off' ? options.override : documentedLimit(system, bucket, options.credential);
  const keyOf = (bucket: string) => `${system}:${options.scope}:${bucket}`;
  const storeFailed = (error: unknown) => {
    fallbackUntil = Date.now() + STORE_COOL_DOWN_MS;
    logger?.warn({ system, err: error instanceof Error ? error.message : String(error) }, 'quota budget store failed; metering in memory for a while');
  };

  return {
    enabled,
    async acquire(route, signal) {
      if (!enabled) return;
      const bucket = budgetBucket(system, route);
      const limit = limitOf(bucket);
      const waitLimit = () => Math.min(maxWaitMs, remainingMs(signal));
      for (;;) {
        let taken: { waitMs: number; tokens: number };
        try {
          taken = await activeStore().take(keyOf(bucket), limit);
        } catch (error) {
          storeFailed(error);
          taken = await fallback.take(keyOf(bucket), limit);
        }
        lastLeft[bucket] = Math.max(0, Math.floor(taken.tokens));
        if (taken.waitMs === 0) return;
        if (taken.waitMs > waitLimit()) {
          throw new GatewayError('RATE_LIMITED', `The ${system} quota budget is spent for now`, {
            service: system,
            retryAfter: Math.max(1, Math.ceil(taken.waitMs / 1000)),
          });
        }
        await sleepUnlessAborted(taken.waitMs, signal, () => signal?.reason);
      }
    },
    observe(route, hint) {
      if (!enabled) return;
      const bucket = budgetBucket(system, route);
      const limit = limitOf(bucket);
      let maxTokens: number | undefined;
      if (hint.remaining !== undefined && Number.isFinite(hint.remaining)) maxTokens = Math.max(0, hint.remaining);
      // Tokens below zero make the next take wait `blockMs` first.
      if (hint.blockMs !== undefined && hint.blockMs > 0) maxTokens = Math.min(maxTokens ?? Infinity, 1 - (hint.blockMs * limit.limit) / limit.windowMs);
      if (maxTokens === undefined) return;
      activeStore().adjust(keyOf(bucket), limit, maxTokens).catch(storeFailed);
    },
    left: () => ({ ...lastLeft }),
  };
}
