/** Which quota buckets a vendor call draws from, and their documented limits (each system's facts hold its vendor's quota). */
import { factsOf, type BudgetLimit, type SystemName } from '../systems/catalog.ts';

/**
 * Every bucket a call to `route` takes a slot in: its own (Slack's quotas are per method,
 * HubSpot's search has its own, the rest are per credential), then the wider ones it also
 * counts in (a HubSpot search counts in the account's 10-second limit too).
 */
export function budgetBuckets(system: SystemName, route: string): string[] {
  const { quota } = factsOf(system);
  const buckets = [quota.bucket(route)];
  for (let wider = quota.within?.(buckets[0]); wider !== undefined; wider = quota.within?.(wider)) buckets.push(wider);
  return buckets;
}

/** The documented limit of one bucket, before any override, under the vendor plan configured for it, if the vendor has plans. */
export function documentedLimit(system: SystemName, bucket: string, credential: string, plan?: string): BudgetLimit {
  return factsOf(system).quota.limit(bucket, credential, plan);
}
