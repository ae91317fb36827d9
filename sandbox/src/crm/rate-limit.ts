/**
 * HubSpot's request quotas: a 10-second rolling window per app (the `X-HubSpot-RateLimit-*`
 * headers on every response), a daily count, and a separate per-second limit on search.
 *
 * Counting is always on, so the headers are truthful; *enforcing* is opt-in through
 * `POST /__sandbox/limits`, because tests and benchmarks send far more than 190 requests per
 * 10 s and must not be throttled unless they ask. Forced 429s for error-path tests come from
 * the shared `rateLimitForMs` knob instead.
 *
 * `plan` sets the account tier's figures (developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines):
 * Free/Starter 100 per 10 s and 250,000 a day, Professional 190 and 625,000, Enterprise 190 and
 * 1,000,000; figures given beside it win. The search limit is the same on every tier: HubSpot
 * announced 4 per second per token, later pages say 5 (`searchPerSecond`, off by default).
 * E.g. `{"plan": "starter", "enforceTenSecondly": true, "searchPerSecond": 5}`.
 */

export const HUBSPOT_PLANS = ['free', 'starter', 'professional', 'enterprise'] as const;
export type HubSpotPlan = (typeof HUBSPOT_PLANS)[number];

const PLAN_FIGURES: Readonly<Record<HubSpotPlan, Pick<CrmLimits, 'tenSecondlyMax' | 'dailyMax'>>> = {
  free: { tenSecondlyMax: 100, dailyMax: 250_000 },
  starter: { tenSecondlyMax: 100, dailyMax: 250_000 },
  professional: { tenSecondlyMax: 190, dailyMax: 625_000 },
  enterprise: { tenSecondlyMax: 190, dailyMax: 1_000_000 },
};

export interface CrmLimits {
  /** The account's tier: setting it sets `tenSecondlyMax` and `dailyMax` to the tier's figures. */
  plan: HubSpotPlan;
  /** Requests per 10 s rolling window (Professional/Enterprise tier: 190). */
  tenSecondlyMax: number;
  /** Answer 429 TEN_SECONDLY_ROLLING when the window is full. Default false. */
  enforceTenSecondly: boolean;
  /** Requests per day (Enterprise: 1,000,000). */
  dailyMax: number;
  /** Answer 429 DAILY when the day's count is spent. Default false. */
  enforceDaily: boolean;
  /** Search requests per second (all search endpoints together); 0 = unlimited (default). */
  searchPerSecond: number;
}

export const DEFAULT_CRM_LIMITS: CrmLimits = {
  plan: 'enterprise',
  tenSecondlyMax: 190,
  enforceTenSecondly: false,
  dailyMax: 1_000_000,
  enforceDaily: false,
  searchPerSecond: 0,
};

/** Counts events in a sliding window with fixed-size buckets: O(1) per event, no per-request memory. */
export class RollingCounter {
  private readonly counts: number[];
  private readonly stamps: number[];
  private readonly bucketMs: number;

  constructor(
    readonly windowMs: number,
    buckets = 100,
  ) {
    this.bucketMs = windowMs / buckets;
    this.counts = new Array<number>(buckets).fill(0);
    this.stamps = new Array<number>(buckets).fill(-1);
  }

  add(now = Date.now()): void {
    const slot = Math.floor(now / this.bucketMs);
    const i = slot % this.counts.length;
    if (this.stamps[i] !== slot) {
      this.stamps[i] = slot;
      this.counts[i] = 0;
    }
    this.counts[i]++;
  }

  count(now = Date.now()): number {
    const slot = Math.floor(now / this.bucketMs);
    const oldest = slot - this.counts.length + 1;
    let total = 0;
    for (let i = 0; i < this.counts.length; i++) if (this.stamps[i] >= oldest && this.stamps[i] <= slot) total += this.counts[i];
    return total;
  }

  reset(): void {
    this.counts.fill(0);
    this.stamps.fill(-1);
  }
}

export class CrmRateLimiter {
  limits: CrmLimits = { ...DEFAULT_CRM_LIMITS };
  private readonly window = new RollingCounter(10_000);
  private readonly search = new RollingCounter(1_000, 10);
  private day = -1;
  private dayCount = 0;

  /** Which policy, if any, refuses this request now (checked before it is counted). */
  check(isSearch: boolean, now = Date.now()): 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY' | null {
    this.rollDay(now);
    if (this.limits.enforceDaily && this.dayCount >= this.limits.dailyMax) return 'DAILY';
    if (this.limits.enforceTenSecondly && this.window.count(now) >= this.limits.tenSecondlyMax) return 'TEN_SECONDLY_ROLLING';
    if (isSearch && this.limits.searchPerSecond > 0 && this.search.count(now) >= this.limits.searchPerSecond) return 'SECONDLY';
    return null;
  }

  record(isSearch: boolean, now = Date.now()): void {
    this.rollDay(now);
    this.window.add(now);
    this.dayCount++;
    if (isSearch) this.search.add(now);
  }

  headers(now = Date.now()): Record<string, string> {
    this.rollDay(now);
    return {
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-max': String(this.limits.tenSecondlyMax),
      'x-hubspot-ratelimit-remaining': String(Math.max(0, this.limits.tenSecondlyMax - this.window.count(now))),
      'x-hubspot-ratelimit-daily': String(this.limits.dailyMax),
      'x-hubspot-ratelimit-daily-remaining': String(Math.max(0, this.limits.dailyMax - this.dayCount)),
    };
  }

  update(patch: Partial<CrmLimits>): CrmLimits {
    if (patch.plan) Object.assign(this.limits, PLAN_FIGURES[patch.plan]);
    Object.assign(this.limits, patch);
    return this.limits;
  }

  reset(): void {
    this.limits = { ...DEFAULT_CRM_LIMITS };
    this.window.reset();
    this.search.reset();
    this.dayCount = 0;
  }

  /** HubSpot's daily quota resets at midnight UTC. */
  private rollDay(now: number): void {
    const day = Math.floor(now / 86_400_000);
    if (day !== this.day) {
      this.day = day;
      this.dayCount = 0;
    }
  }
}

export function validateLimits(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object of limits';
  for (const [key, value] of Object.entries(body)) {
    if (!(key in DEFAULT_CRM_LIMITS)) return `unknown limit '${key}'`;
    const expected = typeof DEFAULT_CRM_LIMITS[key as keyof CrmLimits];
    if (typeof value !== expected) return `${key} must be a ${expected}`;
    if (key === 'plan' && !(HUBSPOT_PLANS as readonly unknown[]).includes(value)) return `plan must be one of ${HUBSPOT_PLANS.join(', ')}`;
    if (expected === 'number' && (!Number.isFinite(value) || (value as number) < 0)) return `${key} must be a non-negative number`;
  }
  return null;
}
