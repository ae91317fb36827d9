/**
 * Helpers every system's invalidation uses: reading what the cache holds before a change
 * clears it, dropping entries, and keeping a cached newest-first id list in step with a
 * change instead of dropping it.
 */
import type { ResourceCache } from '../cache/types.ts';
import type { ChangeEvent } from './types.ts';

type Related = NonNullable<ChangeEvent['related']>;

export function strings(value: Related[string]): string[] {
  if (value === undefined) return [];
  return (typeof value === 'string' ? [value] : [...value]).filter((item) => item !== '');
}

/** The distinct ids an event's `related` names under any of these keys. */
export function relatedIds(related: Related | undefined, ...keys: string[]): string[] {
  return [...new Set(keys.flatMap((key) => strings(related?.[key])))];
}

export const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;

/** The cache never fails a write's invalidation outright: a read error reads as "not cached". */
export async function peek<T>(cache: ResourceCache, resource: string, ids: readonly string[]): Promise<(T | null | undefined)[]> {
  if (ids.length === 0) return [];
  try {
    return await cache.getMany<T>(resource, ids);
  } catch {
    return ids.map(() => undefined);
  }
}

export async function drop(cache: ResourceCache, resource: string, ids: readonly string[]): Promise<void> {
  const unique = [...new Set(ids.filter((id) => id !== ''))];
  if (unique.length > 0) await cache.delete(resource, unique);
}

export interface Stamped {
  id: string;
  created: number;
}

/** The id and creation time of a record that has both. */
export function stamped(record: unknown): Stamped | undefined {
  const value = asRecord(record);
  return typeof value?.id === 'string' && typeof value.created === 'number' ? { id: value.id, created: value.created } : undefined;
}

/**
 * Adds or removes one id in a cached newest-first id list. A list that is not cached stays
 * uncached (the next read asks the vendor); a removal from an uncached list needs nothing.
 * Returns the list as now cached, or undefined.
 */
export async function updateIdList(
  cache: ResourceCache,
  listResource: string,
  recordResource: string,
  key: string,
  change: { add?: Stamped; remove?: string },
): Promise<string[] | undefined> {
  const [list] = await peek<string[]>(cache, listResource, [key]);
  if (!Array.isArray(list)) return undefined;
  let ids = list.filter((id) => id !== change.remove && id !== change.add?.id);
  if (change.add) {
    const records = await peek<Stamped>(cache, recordResource, ids);
    const created = new Map<string, number>(ids.map((id, index) => [id, records[index]?.created ?? Number.POSITIVE_INFINITY]));
    created.set(change.add.id, change.add.created);
    ids = [...ids, change.add.id].sort((a, b) => created.get(b)! - created.get(a)! || (a < b ? 1 : a > b ? -1 : 0));
  }
  await cache.setMany<string[]>(listResource, [[key, ids]]);
  return ids;
}
