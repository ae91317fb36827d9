/**
 * One system's upstream traffic as per-minute buckets in a ring of the last hour: attempts,
 * failures, 429s and a latency histogram per minute. Memory is fixed (60 buckets of ~50
 * counters per system) whatever the load, and a window's p50/p99 come from the summed
 * histograms of its minutes — exact to one bin (each bin is 25 % wider than the one before,
 * so a percentile reads within 25 % of the true value, never below it).
 */

const MINUTE_MS = 60_000;
export const RING_MINUTES = 60;

/** Upper bounds of the latency bins, in ms: 1 ms × 1.25ⁱ up to a minute; anything slower is in the last bin. */
const BIN_BOUNDS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let bound = 1; bound < MINUTE_MS; bound *= 1.25) bounds.push(Math.round(bound * 10) / 10);
  bounds.push(Infinity);
  return bounds;
})();

function binOf(durationMs: number): number {
  const index = BIN_BOUNDS.findIndex((bound) => durationMs <= bound);
  return index === -1 ? BIN_BOUNDS.length - 1 : index;
}

/** What one attempt adds to the figures. */
export interface AttemptSample {
  at: number;
  durationMs: number;
  /** The vendor or the network failed (not a caller's mistake, not a 429). */
  failed: boolean;
  /** The vendor answered 429 (or its rate-limit equivalent). */
  rateLimited: boolean;
}

interface Bucket {
  /** Epoch minute this bucket holds; another value means the slot is stale. */
  minute: number;
  requests: number;
  errors: number;
  rateLimited: number;
  bins: number[];
}

export interface TrafficPoint {
  at: Date;
  requests: number;
  errors: number;
  rateLimited: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface TrafficWindow {
  minutes: number;
  requests: number;
  requestsPerMinute: number;
  errors: number;
  errorRate: number;
  rateLimited: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Oldest first, one point per minute of the window (the current, partial minute last). */
  perMinute: TrafficPoint[];
}

/** The bound of the bin holding the q-quantile; null with no samples. The open last bin reads as a minute. */
export function quantileOf(bins: readonly number[], q: number): number | null {
  const total = bins.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < bins.length; i++) {
    seen += bins[i];
    if (seen >= rank) return Number.isFinite(BIN_BOUNDS[i]) ? BIN_BOUNDS[i] : MINUTE_MS;
  }
  return MINUTE_MS;
}

export interface TrafficRing {
  record(sample: AttemptSample): void;
  /** The last `minutes` minutes up to `now` (at most the ring's hour). */
  window(minutes: number, now: number): TrafficWindow;
}

export function createTrafficRing(): TrafficRing {
  const ring: Bucket[] = Array.from({ length: RING_MINUTES }, () => ({ minute: -1, requests: 0, errors: 0, rateLimited: 0, bins: [] }));
  const slotOf = (minute: number) => ring[minute % RING_MINUTES];

  return {
    record({ at, durationMs, failed, rateLimited }) {
      const minute = Math.floor(at / MINUTE_MS);
      const bucket = slotOf(minute);
      // A minute the ring has already come round past is gone: it must not wipe the newer one in its slot.
      if (minute < bucket.minute) return;
      if (bucket.minute !== minute)
        Object.assign(bucket, { minute, requests: 0, errors: 0, rateLimited: 0, bins: BIN_BOUNDS.map(() => 0) });
      bucket.requests++;
      if (failed) bucket.errors++;
      if (rateLimited) bucket.rateLimited++;
      bucket.bins[binOf(durationMs)]++;
    },
    window(minutes, now) {
      const span = Math.min(Math.max(1, Math.floor(minutes)), RING_MINUTES);
      const last = Math.floor(now / MINUTE_MS);
      const sum = BIN_BOUNDS.map(() => 0);
      const perMinute: TrafficPoint[] = [];
      let requests = 0,
        errors = 0,
        rateLimited = 0;
      for (let minute = last - span + 1; minute <= last; minute++) {
        const bucket = slotOf(minute);
        const live = bucket.minute === minute;
        const bins = live ? bucket.bins : [];
        bins.forEach((n, i) => (sum[i] += n));
        const point = {
          requests: live ? bucket.requests : 0,
          errors: live ? bucket.errors : 0,
          rateLimited: live ? bucket.rateLimited : 0,
        };
        requests += point.requests;
        errors += point.errors;
        rateLimited += point.rateLimited;
        perMinute.push({ at: new Date(minute * MINUTE_MS), ...point, p50Ms: quantileOf(bins, 0.5), p99Ms: quantileOf(bins, 0.99) });
      }
      return {
        minutes: span,
        requests,
        requestsPerMinute: requests / span,
        errors,
        errorRate: requests === 0 ? 0 : errors / requests,
        rateLimited,
        p50Ms: quantileOf(sum, 0.5),
        p99Ms: quantileOf(sum, 0.99),
        perMinute,
      };
    },
  };
}
