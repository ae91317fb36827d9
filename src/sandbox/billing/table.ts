/**
 * One collection of records, kept sorted by `(created, seq)` so Stripe's newest-first lists
 * page by key rather than by offset: a cursor is an object's position in that order, and a
 * record created (or deleted) while a client pages cannot shift later pages — no duplicates,
 * no gaps. Secondary indexes (e.g. invoices by customer) are sorted the same way, so a
 * filtered list is a walk over one bucket.
 *
 * The table also keeps the short write history the search index needs to lag behind writes:
 * for each object written recently, the version it had before each write.
 */
import type { Row } from './records.ts';

const compare = (a: Row, b: Row) => a.created - b.created || a.seq - b.seq;

/** Index of the first row whose key is greater than `key` (rows[0..i) are <= key). */
function upperBound(rows: readonly Row[], key: Row): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(rows[mid], key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first row whose key is >= `key`. */
function lowerBound(rows: readonly Row[], key: Row): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(rows[mid], key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted<R extends Row>(rows: R[], row: R): void {
  // Nearly every insert is the newest record: append without searching.
  if (rows.length === 0 || compare(rows[rows.length - 1], row) <= 0) rows.push(row);
  else rows.splice(upperBound(rows, row), 0, row);
}

function removeSorted<R extends Row>(rows: R[], row: R): void {
  const i = lowerBound(rows, row);
  if (rows[i] === row) rows.splice(i, 1);
}

export interface PageOptions<R> {
  limit: number;
  startingAfter?: Row;
  endingBefore?: Row;
  filter?: (row: R) => boolean;
}

export interface Page<R> {
  data: R[];
  hasMore: boolean;
}

/** Newest-first paging over an ascending array, by cursor key. */
export function pageRows<R extends Row>(rows: readonly R[], options: PageOptions<R>): Page<R> {
  const { limit, filter } = options;
  const out: R[] = [];
  if (options.endingBefore) {
    // The `limit` records just newer than the cursor, still returned newest first.
    for (let i = upperBound(rows, options.endingBefore); i < rows.length; i++) {
      const row = rows[i];
      if (filter && !filter(row)) continue;
      out.push(row);
      if (out.length > limit) break;
    }
    const hasMore = out.length > limit;
    return { data: out.slice(0, limit).reverse(), hasMore };
  }
  const start = options.startingAfter ? lowerBound(rows, options.startingAfter) - 1 : rows.length - 1;
  for (let i = start; i >= 0; i--) {
    const row = rows[i];
    if (filter && !filter(row)) continue;
    out.push(row);
    if (out.length > limit) break;
  }
  const hasMore = out.length > limit;
  if (hasMore) out.length = limit;
  return { data: out, hasMore };
}

interface Index<R> {
  key: (row: R) => string | null;
  buckets: Map<string, R[]>;
}

/** The version an object had just before a write at `at` (epoch ms); null = it did not exist. */
export interface WriteEntry<R> {
  at: number;
  before: R | null;
}

/** Write history older than this is dropped (longer than any sensible search lag). */
const HISTORY_KEEP_MS = 10 * 60_000;

export class Table<R extends Row> {
  private rows: R[] = [];
  private readonly byId = new Map<string, R>();
  private readonly indexes = new Map<string, Index<R>>();
  /** Deleted records, so cursors and expansions that name them keep working. */
  private readonly tombstones = new Map<string, R>();
  private readonly writes = new Map<string, WriteEntry<R>[]>();
  private writesSinceSweep = 0;
  /** Ids written since the last `drainChanged()`: what a derived index must refresh. */
  private readonly changed = new Set<string>();

  /**
   * @param indexes secondary indexes: name → key of a row (null = not indexed).
   * @param searchable whether to keep the write history a lagging search index needs.
   */
  constructor(
    indexes: Record<string, (row: R) => string | null> = {},
    private readonly searchable = false,
  ) {
    for (const [name, key] of Object.entries(indexes)) this.indexes.set(name, { key, buckets: new Map() });
  }

  get size(): number {
    return this.rows.length;
  }

  /** All live rows, oldest first. Callers must not mutate the array. */
  all(): readonly R[] {
    return this.rows;
  }

  get(id: string): R | undefined {
    return this.byId.get(id);
  }

  /** A live or deleted record. */
  getAny(id: string): R | undefined {
    return this.byId.get(id) ?? this.tombstones.get(id);
  }

  /** Rows of one index bucket, oldest first (empty when none). */
  bucket(index: string, value: string): readonly R[] {
    return this.indexes.get(index)?.buckets.get(value) ?? [];
  }

  /** Replaces the contents with seeded rows in any order (sorted once: O(n log n)). */
  load(rows: R[]): void {
    this.clear();
    rows.sort(compare);
    this.rows = rows;
    for (const row of rows) {
      this.byId.set(row.id, row);
      for (const index of this.indexes.values()) {
        const value = index.key(row);
        if (value === null) continue;
        const bucket = index.buckets.get(value);
        if (bucket) bucket.push(row);
        else index.buckets.set(value, [row]);
      }
    }
  }

  clear(): void {
    this.rows = [];
    this.byId.clear();
    this.tombstones.clear();
    this.writes.clear();
    this.changed.clear();
    for (const index of this.indexes.values()) index.buckets.clear();
  }

  insert(row: R, now = Date.now()): void {
    insertSorted(this.rows, row);
    this.byId.set(row.id, row);
    for (const index of this.indexes.values()) {
      const value = index.key(row);
      if (value === null) continue;
      const bucket = index.buckets.get(value);
      if (bucket) insertSorted(bucket, row);
      else index.buckets.set(value, [row]);
    }
    this.noteWrite(row.id, null, now);
  }

  remove(row: R, before: R, now = Date.now()): void {
    removeSorted(this.rows, row);
    this.byId.delete(row.id);
    this.tombstones.set(row.id, row);
    for (const index of this.indexes.values()) {
      const value = index.key(row);
      if (value === null) continue;
      const bucket = index.buckets.get(value);
      if (bucket) removeSorted(bucket, row);
    }
    this.noteWrite(row.id, before, now);
  }

  /** Moves a row between index buckets after a change to an indexed field (`before` holds the old values). */
  reindex(row: R, before: R): void {
    for (const index of this.indexes.values()) {
      const was = index.key(before);
      const is = index.key(row);
      if (was === is) continue;
      if (was !== null) {
        const bucket = index.buckets.get(was);
        if (bucket) removeSorted(bucket, row);
      }
      if (is !== null) {
        const bucket = index.buckets.get(is);
        if (bucket) insertSorted(bucket, row);
        else index.buckets.set(is, [row]);
      }
    }
  }

  /** Call with a copy of the record taken before an in-place update. */
  noteUpdate(id: string, before: R, now = Date.now()): void {
    this.noteWrite(id, before, now);
  }

  private noteWrite(id: string, before: R | null, now: number): void {
    if (!this.searchable) return;
    this.changed.add(id);
    if (++this.writesSinceSweep >= 1000) this.sweep(now);
    let entries = this.writes.get(id);
    if (!entries) this.writes.set(id, (entries = []));
    entries.push({ at: now, before });
    while (entries.length > 0 && entries[0].at < now - HISTORY_KEEP_MS) entries.shift();
  }

  drainChanged(): string[] {
    const ids = [...this.changed];
    this.changed.clear();
    return ids;
  }

  private sweep(now: number): void {
    this.writesSinceSweep = 0;
    for (const [id, entries] of this.writes) {
      if (entries[entries.length - 1].at < now - HISTORY_KEEP_MS) this.writes.delete(id);
    }
  }

  /**
   * The object as a lagging index sees it: its state at `asOf` (epoch ms). The version before
   * the first write after `asOf` is what the index still holds; null when it did not exist yet.
   */
  versionAt(id: string, asOf: number): R | null {
    const entries = this.writes.get(id);
    if (entries) {
      for (const entry of entries) if (entry.at > asOf) return entry.before;
    }
    return this.byId.get(id) ?? null;
  }

  /** Ids written after `since`, including deleted ones: the only objects whose indexed version may differ from the live one. */
  writtenSince(since: number): string[] {
    const out: string[] = [];
    for (const [id, entries] of this.writes) if (entries[entries.length - 1].at > since) out.push(id);
    return out;
  }
}
