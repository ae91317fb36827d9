/**
 * The failure knobs every emulated vendor shares (latency, errors, rate limits, outages, slow
 * and corrupted bodies, search lag), their defaults and checks, and how a body is corrupted.
 */

export type Outage = 'none' | 'refuse' | 'hang';

/** How a response is spoiled, to test the connectors' response validation. */
export type Corruption = 'none' | 'html' | 'truncate' | 'drop-field' | 'wrong-type';

export interface ChaosKnobs {
  /** Added to every API response, in ms. */
  latencyMs: number;
  /** Uniform jitter of ± this many ms around `latencyMs`. */
  jitterMs: number;
  /** Share of API requests (0–1) answered with the vendor's 500. */
  errorRate: number;
  /** While `Date.now()` is before this, every API request gets the vendor's 429. */
  rateLimitedUntil: number;
  /** `refuse` closes the listening socket; `hang` accepts requests and never answers. */
  outage: Outage;
  /** Stream bodies over this many ms. */
  slowBodyMs: number;
  /** Delay before writes become visible to search (Stripe's index; HubSpot search). */
  searchLagMs: number;
  /**
   * While non-zero, Stripe's search index answers as it stood at this instant (epoch ms), as
   * if it had stopped catching up then; billing only. Lets a test pin what a lagging index shows.
   */
  searchFrozenAt: number;
  corrupt: Corruption;
}

export const DEFAULT_KNOBS: ChaosKnobs = {
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  rateLimitedUntil: 0,
  outage: 'none',
  slowBodyMs: 0,
  searchLagMs: 0,
  searchFrozenAt: 0,
  corrupt: 'none',
};

/** Why a knob patch is invalid, or null when every key and value is one the server knows. */
export function validateKnobs(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return 'expected a JSON object of knobs';
  for (const [key, value] of Object.entries(body)) {
    if (key === 'outage') {
      if (!['none', 'refuse', 'hang'].includes(value as string)) return 'outage must be none, refuse or hang';
    } else if (key === 'corrupt') {
      if (!['none', 'html', 'truncate', 'drop-field', 'wrong-type'].includes(value as string))
        return 'corrupt must be none, html, truncate, drop-field or wrong-type';
    } else if (Object.hasOwn(DEFAULT_KNOBS, key) || key === 'rateLimitForMs') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return `${key} must be a non-negative number`;
    } else return `unknown knob '${key}'`;
  }
  return null;
}

export function corrupt(payload: Buffer, how: Corruption): Buffer {
  if (how === 'html') return Buffer.from('<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>');
  if (how === 'truncate') return payload.subarray(0, Math.floor(payload.length / 2));
  const body = JSON.parse(payload.toString('utf8')) as unknown;
  // Spoil the first record-like object found: the connector must notice, not pass it on.
  const target = findRecord(body);
  if (target) {
    if (how === 'drop-field') delete target.id;
    else target.id = 12345;
  }
  return Buffer.from(JSON.stringify(body));
}

function findRecord(value: unknown): Record<string, unknown> | null {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findRecord(item);
      if (found) return found;
    }
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const obj = value as Record<string, unknown>;
  for (const v of Object.values(obj)) {
    const found = findRecord(v);
    if (found) return found;
  }
  return 'id' in obj ? obj : null;
}
