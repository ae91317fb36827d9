/**
 * Slack's per-method rate-limit tiers, enforced only when asked (`POST /__sandbox/limits
 * {"enforce": true}`): tests and benchmarks that do not care must never be throttled, while
 * the connector's 429 handling needs the real numbers to be testable.
 *
 * Tiers per docs.slack.dev/apis/web-api/rate-limits (per method, per workspace, per app):
 * Tier 2 20/min, Tier 3 50/min, Tier 4 100/min; `chat.postMessage` is "special", about one
 * message per second per channel with short bursts allowed, modelled as 3 per 3 s.
 * `auth.test` is special too ("thousands per hour") and is left unlimited.
 * A sliding window of accepted calls; rejected calls do not count, as at Slack.
 *
 * `distribution` says how the calling app is distributed. Since 2025-05-29 Slack holds apps
 * distributed outside its Marketplace (`non-marketplace`) to 1 call a minute on
 * `conversations.history` and `conversations.replies`, with at most 15 messages a page
 * (a bigger `limit` returns 15 and a cursor; the default is 15 too); internal (custom) and
 * Marketplace apps keep Tier 3. The page cap follows the distribution alone, as at Slack;
 * the minute's limit, like every tier, only while enforced.
 */

export interface RateRule {
  tier: 'tier1' | 'tier2' | 'tier3' | 'tier4' | 'special';
  limit: number;
  windowMs: number;
  /** Counted per `channel` argument rather than per method. */
  perChannel?: boolean;
}

const TIER2: RateRule = { tier: 'tier2', limit: 20, windowMs: 60_000 };
const TIER3: RateRule = { tier: 'tier3', limit: 50, windowMs: 60_000 };
const TIER4: RateRule = { tier: 'tier4', limit: 100, windowMs: 60_000 };

export const METHOD_RATE_RULES: Readonly<Record<string, RateRule>> = {
  'users.list': TIER2,
  'conversations.list': TIER2,
  'users.lookupByEmail': TIER3,
  'conversations.history': TIER3,
  'conversations.replies': TIER3,
  'users.info': TIER4,
  'conversations.info': TIER4,
  'chat.postMessage': { tier: 'special', limit: 3, windowMs: 3_000, perChannel: true },
};

export const APP_DISTRIBUTIONS = ['internal', 'marketplace', 'non-marketplace'] as const;
export type AppDistribution = (typeof APP_DISTRIBUTIONS)[number];

const STRICT_HISTORY: RateRule = { tier: 'tier1', limit: 1, windowMs: 60_000 };
const STRICT_METHODS: ReadonlySet<string> = new Set(['conversations.history', 'conversations.replies']);
/** Messages per history or replies page for a non-Marketplace app: the most and the default. */
export const NON_MARKETPLACE_PAGE_LIMIT = 15;

export interface LimitSettings {
  enforce: boolean;
  /** How the calling app is distributed; `non-marketplace` gets the strict history tier. */
  distribution: AppDistribution;
  /** Multiplies every limit (0.1 → Tier 2 allows 2 a minute); at least 1 call always passes. */
  scale: number;
}

export class TierLimiter {
  settings: LimitSettings = { enforce: false, distribution: 'internal', scale: 1 };
  private readonly hits = new Map<string, number[]>();

  configure(patch: Partial<LimitSettings>): LimitSettings {
    this.settings = { ...this.settings, ...patch };
    this.hits.clear();
    return this.settings;
  }

  reset(): void {
    this.settings = { enforce: false, distribution: 'internal', scale: 1 };
    this.hits.clear();
  }

  /** Records the call and returns null, or returns the seconds to wait when over the limit. */
  check(method: string, channel: string | undefined, now = Date.now()): number | null {
    const rule = this.ruleOf(method);
    if (!this.settings.enforce || !rule) return null;
    const key = rule.perChannel ? `${method}:${channel ?? ''}` : method;
    const limit = Math.max(1, Math.round(rule.limit * this.settings.scale));
    let log = this.hits.get(key);
    if (!log) this.hits.set(key, (log = []));
    while (log.length > 0 && log[0] <= now - rule.windowMs) log.shift();
    if (log.length >= limit) return Math.max(1, Math.ceil((log[0] + rule.windowMs - now) / 1000));
    log.push(now);
    return null;
  }

  /** The most messages one history or replies page holds for this app (undefined: the method's own maximum). */
  pageLimit(method: string): number | undefined {
    return this.settings.distribution === 'non-marketplace' && STRICT_METHODS.has(method) ? NON_MARKETPLACE_PAGE_LIMIT : undefined;
  }

  private ruleOf(method: string): RateRule | undefined {
    return this.settings.distribution === 'non-marketplace' && STRICT_METHODS.has(method) ? STRICT_HISTORY : METHOD_RATE_RULES[method];
  }

  toJSON() {
    const rules = Object.fromEntries(Object.keys(METHOD_RATE_RULES).map((method) => [method, this.ruleOf(method)]));
    return { ...this.settings, rules };
  }
}
