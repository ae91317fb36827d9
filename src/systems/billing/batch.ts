/** Batching helpers of the billing loaders: newest-first order, grouping, a per-request limiter. */
import type DataLoader from 'dataloader';

export interface Created {
  id: string;
  created: number;
}

/** Stripe lists newest first; the same order here makes results stable whatever path loaded them. */
export function newestFirst<T extends Created>(records: T[]): T[] {
  return records.sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export function groupIds<T extends Created>(records: readonly T[], keyOf: (record: T) => string | null | undefined): Map<string, string[]> {
  const groups = new Map<string, T[]>();
  for (const record of records) {
    const key = keyOf(record);
    if (!key) continue;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return new Map([...groups].map(([key, group]) => [key, newestFirst(group).map((r) => r.id)]));
}

/** Limits concurrent upstream calls; per request, so one caller's fan-out cannot starve others. */
export function createLimiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function limit<T>(task: () => Promise<T>): Promise<T> {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** DataLoader's loadMany with its per-key Errors turned into one rejection. */
export async function loadAll<V>(loader: DataLoader<string, V | null>, keys: readonly string[]): Promise<(V | null)[]> {
  const results = await loader.loadMany(keys);
  const failure = results.find((result): result is Error => result instanceof Error);
  if (failure) throw failure;
  return results as (V | null)[];
}

export async function loadRecords<V>(loader: DataLoader<string, V | null>, ids: readonly string[]): Promise<V[]> {
  return (await loadAll(loader, ids)).filter((record): record is V => record !== null);
}

/** Ids per fan-out batch for endpoints that take one id per request. */
export const PER_ID_BATCH = 10;
/** Concurrent one-id requests per GraphQL request: well under Stripe's 25 req/s test-mode limit. */
export const PER_ID_CONCURRENCY = 8;
/**
 * A whole page of contacts (first ≤ 100) in one link batch, so the email fallback for the
 * contacts metadata did not resolve is gathered across the page into as few searches as
 * possible (ten emails each) instead of one per metadata chunk.
 */
export const CONTACT_LINK_BATCH = 100;
