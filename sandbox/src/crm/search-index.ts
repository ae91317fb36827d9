/**
 * Equality indexes over the CRM's search view (`record.indexed`), so that EQ and IN filters
 * look their candidates up instead of testing every record of a 100,000-contact table.
 *
 * One index per object type and property, built on the first search that can use it (one
 * pass over the table) and kept current by the store each time a write becomes searchable:
 * it always describes the lagged view search reads, never the live records. A bucket holds
 * the records whose indexed value has one comparison key (`scalar`), in ascending id order —
 * the order search returns without sorts.
 */
import { type CrmObjectType, PROPERTIES, type PropertyKind } from './schema.ts';
import type { CrmRecord } from './record.ts';

/** A value as search compares it: a number for numbers and datetimes, lowercase text otherwise. */
export type SearchKey = number | string;

export function kindOf(type: CrmObjectType, name: string): PropertyKind {
  return PROPERTIES[type][name]?.kind ?? 'string';
}

export function scalar(kind: PropertyKind, value: string): SearchKey {
  if (kind === 'number') return Number(value);
  if (kind === 'datetime') return /^-?\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  return value.toLowerCase();
}

export const present = (v: string | undefined): v is string => v !== undefined && v !== '';

/**
 * Whether an equality index serves this property: `hs_object_id` has the table's own id map,
 * datetimes are filtered by ranges (and every write changes the last-modified one), and a
 * name the schema does not know matches nothing.
 */
export function indexable(type: CrmObjectType, name: string): boolean {
  const def = PROPERTIES[type][name];
  return def !== undefined && def.kind !== 'datetime' && name !== 'hs_object_id';
}

type Buckets = Map<SearchKey, CrmRecord[]>;

const NONE: readonly CrmRecord[] = [];

export class SearchIndex {
  private readonly byProperty = new Map<string, Buckets>();

  constructor(
    private readonly type: CrmObjectType,
    /** The table's records in ascending id order, archived and not yet searchable ones included. */
    private readonly records: readonly CrmRecord[],
  ) {}

  /** The records whose searchable value of an `indexable` property has this key, ascending id. */
  lookup(name: string, key: SearchKey): readonly CrmRecord[] {
    return this.buckets(name).get(key) ?? NONE;
  }

  /** Moves a record between buckets as its search view changes from `before` to `after` (null: not searchable). */
  move(record: CrmRecord, before: Readonly<Record<string, string>> | null, after: Readonly<Record<string, string>> | null): void {
    for (const [name, buckets] of this.byProperty) {
      const kind = kindOf(this.type, name);
      const was = keyOf(kind, before?.[name]);
      const is = keyOf(kind, after?.[name]);
      if (was === is) continue;
      if (was !== null) remove(buckets, was, record);
      if (is !== null) insert(buckets, is, record);
    }
  }

  private buckets(name: string): Buckets {
    let buckets = this.byProperty.get(name);
    if (buckets) return buckets;
    buckets = new Map();
    const kind = kindOf(this.type, name);
    for (const record of this.records) {
      const key = keyOf(kind, record.indexed?.[name]);
      if (key === null) continue;
      const bucket = buckets.get(key);
      if (bucket) bucket.push(record);
      else buckets.set(key, [record]);
    }
    this.byProperty.set(name, buckets);
    return buckets;
  }
}

/** Filters never match an unset or empty value, so those are not indexed. */
function keyOf(kind: PropertyKind, value: string | undefined): SearchKey | null {
  return present(value) ? scalar(kind, value) : null;
}

/** Position of the first record in `bucket` whose id is not below `num`. */
function lowerBound(bucket: readonly CrmRecord[], num: number): number {
  let lo = 0;
  let hi = bucket.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bucket[mid].num < num) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insert(buckets: Buckets, key: SearchKey, record: CrmRecord): void {
  const bucket = buckets.get(key);
  if (!bucket) buckets.set(key, [record]);
  // New records have the highest ids: appending is the common case.
  else if (bucket[bucket.length - 1].num < record.num) bucket.push(record);
  else bucket.splice(lowerBound(bucket, record.num), 0, record);
}

function remove(buckets: Buckets, key: SearchKey, record: CrmRecord): void {
  const bucket = buckets.get(key);
  if (!bucket) return;
  const at = lowerBound(bucket, record.num);
  if (bucket[at] !== record) return;
  if (bucket.length === 1) buckets.delete(key);
  else bucket.splice(at, 1);
}
