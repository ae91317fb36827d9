/**
 * Invariant 8: the replicas together never sent a vendor more calls than its quota allows in
 * any window of the vendor's own length, counted where the vendor counts them: at the
 * sandbox, every API request that arrived (a 429 or 500 answer included, the admin API not).
 * CRM and billing are held to the budgets the replicas were configured with; Slack, which has
 * no override, to the gateway's documented per-method tiers, bucketed as the gateway buckets them.
 */
import type { SystemName } from '@switchboard/sandbox';
import { SANDBOX_CREDENTIALS } from '@switchboard/sandbox';
import { budgetBuckets, documentedLimit, type BudgetLimit } from '../../src/upstream/budget.ts';
import { BUDGETS, type Arrival } from '../cluster.ts';
import type { CheckInput, InvariantResult, Violation } from './types.ts';

function limitOf(system: SystemName, bucket: string): BudgetLimit {
  const configured = (BUDGETS as Partial<Record<SystemName, { calls: number; windowMs: number }>>)[system];
  return configured
    ? { limit: configured.calls, windowMs: configured.windowMs }
    : documentedLimit(system, bucket, SANDBOX_CREDENTIALS[system]);
}

/** The fullest window of `windowMs` over sorted times: how many calls, and where it starts. */
export function fullestWindow(times: readonly number[], windowMs: number): { calls: number; from: number } {
  let best = { calls: 0, from: times[0] ?? 0 };
  let end = 0;
  for (let start = 0; start < times.length; start++) {
    while (end < times.length && times[end] < times[start] + windowMs) end++;
    if (end - start > best.calls) best = { calls: end - start, from: times[start] };
  }
  return best;
}

/** Each stretch of windows holding more than `limit` calls, as one violation: where it began and its fullest window. */
function overruns(times: readonly number[], limit: BudgetLimit): { from: number; to: number; calls: number }[] {
  const spells: { from: number; to: number; calls: number }[] = [];
  let end = 0;
  for (let start = 0; start < times.length; start++) {
    while (end < times.length && times[end] < times[start] + limit.windowMs) end++;
    const calls = end - start;
    if (calls <= limit.limit) continue;
    const last = spells.at(-1);
    if (last && times[start] <= last.to) {
      last.to = times[end - 1];
      last.calls = Math.max(last.calls, calls);
    } else spells.push({ from: times[start], to: times[end - 1], calls });
  }
  return spells;
}

export function checkQuotas({ cluster }: CheckInput): InvariantResult {
  const buckets = new Map<string, { system: SystemName; bucket: string; times: number[] }>();
  for (const arrival of cluster.arrivals as readonly Arrival[]) {
    // A call counts in each bucket the gateway takes a slot in (a HubSpot search in its own and the account's).
    for (const bucket of budgetBuckets(arrival.system, arrival.route.replace(/^[A-Z]+ /, ''))) {
      const key = `${arrival.system}:${bucket}`;
      let entry = buckets.get(key);
      if (!entry) buckets.set(key, (entry = { system: arrival.system, bucket, times: [] }));
      entry.times.push(arrival.at);
    }
  }
  const violations: Violation[] = [];
  const fullest = new Map<SystemName, { share: number; text: string }>();
  for (const { system, bucket, times } of buckets.values()) {
    times.sort((a, b) => a - b);
    const limit = limitOf(system, bucket);
    const window = fullestWindow(times, limit.windowMs);
    const text = `${window.calls}/${limit.limit} per ${limit.windowMs / 1000}s${bucket === 'all' ? '' : ` (${bucket})`}`;
    const share = window.calls / limit.limit;
    if (share > (fullest.get(system)?.share ?? -1)) fullest.set(system, { share, text });
    for (const spell of overruns(times, limit)) {
      violations.push({
        ops: [],
        detail:
          `${system}${bucket === 'all' ? '' : ` ${bucket}`}: up to ${spell.calls} calls in ${limit.windowMs} ms (budget ${limit.limit}) ` +
          `between ${new Date(spell.from).toISOString()} and ${new Date(spell.to).toISOString()}`,
      });
    }
  }
  const figures: Record<string, string> = {};
  for (const system of ['crm', 'billing', 'chat'] as const) figures[`${system} fullest window`] = fullest.get(system)?.text ?? 'no calls';
  return {
    id: 8,
    name: 'the replicas together stay within each vendor quota',
    checked: cluster.arrivals.length,
    violations,
    figures,
  };
}
