/**
 * The health model's arithmetic and rules on inputs nobody chose (fast-check, seeded,
 * shrinking): the per-minute ring's counts and percentiles, and the state rules of
 * src/health/state.ts. The model end to end, over HTTP, is test/health.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveState, MIN_FAILURES } from '../src/health/state.ts';
import { createTrafficRing, RING_MINUTES } from '../src/health/traffic.ts';

const SEED = Number(process.env.FC_SEED ?? 20261207);
const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 7, 12, 30, 15);

/** The q-quantile as a sorted list reads it: the value at rank ceil(q·n). */
function trueQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

const sample = fc.record({
  ageMs: fc.integer({ min: 0, max: 90 * MINUTE }),
  durationMs: fc.double({ min: 0, max: 59_000, noNaN: true }),
  failed: fc.boolean(),
  rateLimited: fc.boolean(),
});

describe('the per-minute traffic ring', () => {
  it('counts exactly the attempts of the window, and reads each percentile at or above the true one, within 25 %', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 300 }), fc.constantFrom(1, 5, 60), (samples, minutes) => {
        const ring = createTrafficRing();
        for (const s of samples) ring.record({ at: NOW - s.ageMs, durationMs: s.durationMs, failed: s.failed, rateLimited: s.rateLimited });
        const window = ring.window(minutes, NOW);
        const firstMinute = Math.floor(NOW / MINUTE) - minutes + 1;
        const inside = samples.filter((s) => Math.floor((NOW - s.ageMs) / MINUTE) >= firstMinute);
        expect(window.requests).toBe(inside.length);
        expect(window.errors).toBe(inside.filter((s) => s.failed).length);
        expect(window.rateLimited).toBe(inside.filter((s) => s.rateLimited).length);
        expect(window.perMinute).toHaveLength(minutes);
        expect(window.perMinute.reduce((sum, p) => sum + p.requests, 0)).toBe(inside.length);
        if (inside.length === 0) {
          expect([window.p50Ms, window.p99Ms]).toEqual([null, null]);
          return;
        }
        for (const [q, read] of [
          [0.5, window.p50Ms!],
          [0.99, window.p99Ms!],
        ] as const) {
          const truth = trueQuantile(
            inside.map((s) => s.durationMs),
            q,
          );
          expect(read).toBeGreaterThanOrEqual(truth);
          expect(read).toBeLessThanOrEqual(Math.max(1, truth * 1.25 + 0.1));
        }
        expect(window.p99Ms!).toBeGreaterThanOrEqual(window.p50Ms!);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('forgets a minute once the ring has come round to it again', () => {
    const ring = createTrafficRing();
    ring.record({ at: NOW, durationMs: 5, failed: true, rateLimited: false });
    expect(ring.window(1, NOW).requests).toBe(1);
    expect(ring.window(RING_MINUTES, NOW + RING_MINUTES * MINUTE).requests).toBe(0);
  });
});

const recent = fc.record({ attempts: fc.nat(50), failures: fc.nat(50), rateLimited: fc.nat(5) }).map((r) => ({
  attempts: Math.max(r.attempts, r.failures + r.rateLimited),
  failures: r.failures,
  rateLimited: r.rateLimited,
}));

describe('the state rules', () => {
  it('reads DOWN whenever the breaker is not closed, whatever else is seen', () => {
    fc.assert(
      fc.property(fc.constantFrom('open' as const, 'half-open' as const), recent, fc.array(fc.string()), (breaker, calls, exhausted) => {
        expect(deriveState({ breaker, recent: calls, exhaustedBuckets: exhausted }).state).toBe('DOWN');
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('reads THROTTLED on any recent 429 or spent budget with the breaker closed, and HEALTHY with neither and under two failures', () => {
    fc.assert(
      fc.property(recent, fc.array(fc.string({ minLength: 1 }), { maxLength: 2 }), (calls, exhausted) => {
        const { state } = deriveState({ breaker: 'closed', recent: calls, exhaustedBuckets: exhausted });
        if (calls.rateLimited > 0 || exhausted.length > 0) expect(state).toBe('THROTTLED');
        else if (calls.failures < MIN_FAILURES) expect(state).toBe('HEALTHY');
        else expect(['DEGRADED', 'HEALTHY']).toContain(state);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('reads DEGRADED when at least a fifth of the recent calls failed, and not when fewer did', () => {
    expect(deriveState({ breaker: 'closed', recent: { attempts: 10, failures: 2, rateLimited: 0 }, exhaustedBuckets: [] }).state).toBe(
      'DEGRADED',
    );
    expect(deriveState({ breaker: 'closed', recent: { attempts: 11, failures: 2, rateLimited: 0 }, exhaustedBuckets: [] }).state).toBe(
      'HEALTHY',
    );
  });
});
