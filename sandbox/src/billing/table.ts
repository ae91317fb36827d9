/**
 * One collection of records, kept sorted by `(created, seq)` so Stripe's newest-first lists
 * page by key rather than by offset: a cursor is an object's position in that order, and a
 * record created (or deleted) while a client pages cannot shift later pages — no duplicates,
 * no gaps.
 *
 * A table holds two kinds of rows:
 * - live rows: objects in a sorted array (records created at runtime, and small seeded
 *   collections such as customers), with secondary indexes kept as sorted buckets;
 * - seeded rows of a `SeedSource`: half a million invoices and their items, charges and
 *   payment intents are described by typed-array columns and materialized only when read.
 *   A row handed out by `get()` is "adopted" — kept, so an operation can mutate it in place
 *   and later reads see the change; rows read while paging stay transient.
 *
 * The table also keeps the short write history the search index needs to lag behind writes:
 * for each object written recently, the version it had before each write.
 */
import type { Row } from './records.ts';

export interface Key {
  created: number;
  seq: number;
}

const compare = (a: Key, b: Key) => a.created - b.created || a.seq - b.seq;

/** Index of the first row whose key is greater than `key` (rows[0..i) are <= key). */
function upperBound(rows: readonly Key[], key: Key): number {
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
function lowerBound(rows: readonly Key[], key: Key): number {
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

/**
 * Seeded rows described by columns. Positions `0..length-1` are in ascending key order;
 * `materialize` builds a fresh record for a position.
 */
export interface SeedSource<R extends Row> {
  readonly length: number;
  created(pos: number): number;
  seq(pos: number): number;
  id(pos: number): string;
  /** Position of a seeded id, or -1. */
  position(id: string): number;
  /**
   * Builds the record at a position. `keep` is true when the table is about to adopt it
   * (`get`), so a source whose records live inside another record's (items in their
   * invoice) can hand out that shared instance.
   */
  materialize(pos: number, keep: boolean): R;
  /** Positions (ascending) of the seeded rows in an index bucket. */
  bucket(index: string, value: string): ArrayLike<number>;
  /** Seeded rows carry no metadata and no value-indexed field, so the search value index can skip them. */
  readonly plain: boolean;
  /**
   * A record field read straight from the columns (`status`, `customer`, `created`, …), or
   * `NO_COLUMN` when the columns do not hold it. Lets scans reject rows without building them.
   */
  field?(pos: number, name: string): unknown;
}

/** `SeedSource.field`'s answer for a field the columns do not hold. */
export const NO_COLUMN: unique symbol = Symbol('no column');

/** A column test: the record field and a predicate on its value. */
export type ColumnTest = readonly [field: string, test: (value: unknown) => boolean];

/** Rejects a seeded position from its columns alone (false = skip it; true = build and check it). */
export type Quick = (pos: number) => boolean;

interface Index<R> {
  key: (row: R) => string | null;
  buckets: Map<string, R[]>;
}

/** Files a row under its index value (null: not indexed), keeping the bucket in key order. */
function addToBucket<R extends Row>(index: Index<R>, value: string | null, row: R): void {
  if (value === null) return;
  const bucket = index.buckets.get(value);
  if (bucket) insertSorted(bucket, row);
  else index.buckets.set(value, [row]);
}

/** Takes a row out of the bucket it was filed under. */
function removeFromBucket<R extends Row>(index: Index<R>, value: string | null, row: R): void {
  const bucket = value === null ? undefined : index.buckets.get(value);
  if (bucket) removeSorted(bucket, row);
}

/** Seeded positions of a row set: all of them (`0..n-1`), or a listed subset. */
export type Positions = number | ArrayLike<number>;

/** A sorted selection of a table's rows (all of them, or one index bucket), iterated by key. */
export class RowSet<R extends Row> {
  private readonly count: number;

  constructor(
    private readonly table: Table<R>,
    /** Seeded positions in the set, ascending. */
    private readonly seeded: Positions,
    private readonly live: readonly R[],
    /** For a bucket: seeded rows whose indexed value has since changed are skipped. */
    private readonly member?: (row: R) => boolean,
  ) {
    this.count = typeof seeded === 'number' ? seeded : seeded.length;
  }

  private pos(k: number): number {
    return typeof this.seeded === 'number' ? k : this.seeded[k];
  }

  private seedKey(k: number): Key {
    const source = this.table.seedSource!;
    const pos = this.pos(k);
    return { created: source.created(pos), seq: source.seq(pos) };
  }

  private seedRow(k: number, quick?: Quick): R | null {
    const pos = this.pos(k);
    // Adopted rows may have changed since seeding: only untouched ones can be judged by columns.
    if (quick && !this.table.isAdopted(pos) && !quick(pos)) return null;
    const row = this.table.seededAt(pos);
    return row && (!this.member || this.member(row)) ? row : null;
  }

  /** First seeded index whose key is >= key (strict: > key). */
  private seedBound(key: Key, strict: boolean): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compare(this.seedKey(mid), key);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Rows newest first, strictly older than `below` when given; `quick` may skip seeded rows unbuilt. */
  *descending(below?: Key, quick?: Quick): Generator<R> {
    let i = (below ? this.seedBound(below, false) : this.count) - 1;
    let j = (below ? lowerBound(this.live, below) : this.live.length) - 1;
    while (i >= 0 || j >= 0) {
      if (j < 0 || (i >= 0 && compare(this.seedKey(i), this.live[j]) > 0)) {
        const row = this.seedRow(i--, quick);
        if (row) yield row;
      } else yield this.live[j--];
    }
  }

  /** Rows oldest first, strictly newer than `above` when given; `quick` may skip seeded rows unbuilt. */
  *ascending(above?: Key, quick?: Quick): Generator<R> {
    const n = this.count;
    let i = above ? this.seedBound(above, true) : 0;
    let j = above ? upperBound(this.live, above) : 0;
    while (i < n || j < this.live.length) {
      if (j >= this.live.length || (i < n && compare(this.seedKey(i), this.live[j]) < 0)) {
        const row = this.seedRow(i++, quick);
        if (row) yield row;
      } else yield this.live[j++];
    }
  }

  toArray(): R[] {
    return [...this.ascending()];
  }
}

export interface PageOptions<R> {
  limit: number;
  startingAfter?: Key;
  endingBefore?: Key;
  filter?: (row: R) => boolean;
  /** Column tests run before a seeded row is built (the same conditions as part of `filter`). */
  quick?: Quick;
  /** A `created` range: turned into where the walk starts and stops, rather than a filter. */
  created?: { gt?: number; gte?: number; lt?: number; lte?: number };
}

export interface Page<R> {
  data: R[];
  hasMore: boolean;
}

const older = (a: Key | undefined, b: Key | undefined) => (!a ? b : !b ? a : compare(a, b) <= 0 ? a : b);
const newer = (a: Key | undefined, b: Key | undefined) => (!a ? b : !b ? a : compare(a, b) >= 0 ? a : b);

/** Newest-first paging by cursor key. */
export function pageRows<R extends Row>(rows: RowSet<R>, options: PageOptions<R>): Page<R> {
  const { limit, filter, quick } = options;
  const range = options.created ?? {};
  // Keys just outside the range: walks start there instead of filtering their way to it.
  const upper = older(
    range.lt !== undefined ? { created: range.lt, seq: -Infinity } : undefined,
    range.lte !== undefined ? { created: range.lte, seq: Infinity } : undefined,
  );
  const lower = newer(
    range.gt !== undefined ? { created: range.gt, seq: Infinity } : undefined,
    range.gte !== undefined ? { created: range.gte, seq: -Infinity } : undefined,
  );
  const out: R[] = [];
  if (options.endingBefore) {
    // The `limit` records just newer than the cursor, still returned newest first.
    for (const row of rows.ascending(newer(options.endingBefore, lower), quick)) {
      if (upper && compare(row, upper) >= 0) break;
      if (filter && !filter(row)) continue;
      out.push(row);
      if (out.length > limit) break;
    }
    const hasMore = out.length > limit;
    return { data: out.slice(0, limit).reverse(), hasMore };
  }
  for (const row of rows.descending(older(options.startingAfter, upper), quick)) {
    if (lower && compare(row, lower) <= 0) break;
    if (filter && !filter(row)) continue;
    out.push(row);
    if (out.length > limit) break;
  }
  const hasMore = out.length > limit;
  if (hasMore) out.length = limit;
  return { data: out, hasMore };
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
  private seed: SeedSource<R> | null = null;
  /** Seeded rows handed out by `get()`, by position: the instances operations mutate. */
  private readonly adopted = new Map<number, R>();
  private readonly removedSeeded = new Set<number>();
  /** Deleted records, so cursors and expansions that name them keep working. */
  private readonly tombstones = new Map<string, R>();
  private readonly writes = new Map<string, WriteEntry<R>[]>();
  private writesSinceSweep = 0;
  /** Ids written since the last `drainChanged()`: what a derived index must refresh. */
  private readonly changed = new Set<string>();

  /**
   * @param noun Stripe's name of the objects held, for "No such customer: 'cus_x'".
   * @param indexes secondary indexes: name → key of a row (null = not indexed).
   * @param searchable whether to keep the write history a lagging search index needs.
   */
  constructor(
    readonly noun: string,
    indexes: Record<string, (row: R) => string | null> = {},
    private readonly searchable = false,
  ) {
    for (const [name, key] of Object.entries(indexes)) this.indexes.set(name, { key, buckets: new Map() });
  }

  get seedSource(): SeedSource<R> | null {
    return this.seed;
  }

  get size(): number {
    return this.rows.length + (this.seed ? this.seed.length - this.removedSeeded.size : 0);
  }

  isAdopted(pos: number): boolean {
    return this.adopted.has(pos);
  }

  /** A `Quick` from column tests, or undefined when the seed holds none of their fields. */
  quick(tests: readonly ColumnTest[]): Quick | undefined {
    const source = this.seed;
    if (!source?.field || tests.length === 0 || source.length === 0) return undefined;
    const usable = tests.filter(([field]) => source.field!(0, field) !== NO_COLUMN);
    if (usable.length === 0) return undefined;
    return (pos) => usable.every(([field, test]) => test(source.field!(pos, field)));
  }

  /** A seeded row by position: the adopted instance, or a transient one; null once deleted. */
  seededAt(pos: number): R | null {
    if (this.removedSeeded.has(pos)) return null;
    return this.adopted.get(pos) ?? this.seed!.materialize(pos, false);
  }

  /** Like `get`, without adopting a seeded row (for reads that do not mutate). */
  peek(id: string): R | undefined {
    const live = this.byId.get(id);
    if (live || !this.seed) return live;
    const pos = this.seed.position(id);
    return pos < 0 ? undefined : (this.seededAt(pos) ?? undefined);
  }

  get(id: string): R | undefined {
    const live = this.byId.get(id);
    if (live || !this.seed) return live;
    const pos = this.seed.position(id);
    if (pos < 0 || this.removedSeeded.has(pos)) return undefined;
    let row = this.adopted.get(pos);
    if (!row) {
      row = this.seed.materialize(pos, true);
      this.adopted.set(pos, row);
    }
    return row;
  }

  /** A live or deleted record. */
  getAny(id: string): R | undefined {
    return this.get(id) ?? this.tombstones.get(id);
  }

  /** A live or deleted record, without adopting a seeded row (for reads). */
  peekAny(id: string): R | undefined {
    return this.peek(id) ?? this.tombstones.get(id);
  }

  /** All rows. */
  all(): RowSet<R> {
    return new RowSet(this, this.seed ? this.seed.length : 0, this.rows);
  }

  /** The rows of one index bucket. */
  bucket(index: string, value: string): RowSet<R> {
    const idx = this.indexes.get(index);
    const live = idx?.buckets.get(value) ?? [];
    const seeded = this.seed ? this.seed.bucket(index, value) : null;
    return new RowSet(this, seeded ?? 0, live, idx ? (row) => idx.key(row) === value : undefined);
  }

  /** The key of a secondary index: the value whose bucket holds a row. */
  indexKey(index: string): (row: R) => string | null {
    const idx = this.indexes.get(index);
    if (!idx) throw new Error(`no index '${index}'`);
    return idx.key;
  }

  /** Rows that may carry value-indexed data (all rows unless the seed is plain). */
  *indexableRows(): Generator<R> {
    if (!this.seed || !this.seed.plain) {
      yield* this.all().ascending();
      return;
    }
    yield* this.rows;
    for (const row of this.adopted.values()) yield row;
  }

  /** Replaces the contents with seeded live rows in any order (sorted once: O(n log n)). */
  load(rows: R[]): void {
    this.clear();
    rows.sort(compare);
    this.rows = rows;
    for (const row of rows) {
      this.byId.set(row.id, row);
      // In key order, so every bucket insert is an append.
      for (const index of this.indexes.values()) addToBucket(index, index.key(row), row);
    }
  }

  /** Attaches column-described seeded rows (after `load` or `clear`). */
  attachSeed(source: SeedSource<R>): void {
    this.seed = source;
  }

  clear(): void {
    this.rows = [];
    this.byId.clear();
    this.seed = null;
    this.adopted.clear();
    this.removedSeeded.clear();
    this.tombstones.clear();
    this.writes.clear();
    this.changed.clear();
    for (const index of this.indexes.values()) index.buckets.clear();
  }

  insert(row: R, now = Date.now()): void {
    insertSorted(this.rows, row);
    this.byId.set(row.id, row);
    for (const index of this.indexes.values()) addToBucket(index, index.key(row), row);
    this.noteWrite(row.id, null, now);
  }

  remove(row: R, before: R, now = Date.now()): void {
    if (this.byId.get(row.id) === row) {
      removeSorted(this.rows, row);
      this.byId.delete(row.id);
    } else if (this.seed) {
      const pos = this.seed.position(row.id);
      if (pos >= 0) {
        this.removedSeeded.add(pos);
        this.adopted.delete(pos);
      }
    }
    this.tombstones.set(row.id, row);
    for (const index of this.indexes.values()) removeFromBucket(index, index.key(row), row);
    this.noteWrite(row.id, before, now);
  }

  /** Moves a row between index buckets after a change to an indexed field (`before` holds the old values). */
  reindex(row: R, before: R): void {
    const seededPos = this.byId.get(row.id) === row || !this.seed ? -1 : this.seed.position(row.id);
    for (const [name, index] of this.indexes) {
      const was = index.key(before);
      const is = index.key(row);
      if (was === is) continue;
      removeFromBucket(index, was, row);
      // A seeded row back in its seeded bucket needs no live entry (it would be listed twice).
      if (is !== null && seededPos >= 0 && Array.prototype.includes.call(this.seed!.bucket(name, is), seededPos)) continue;
      addToBucket(index, is, row);
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

  hasWrites(id: string): boolean {
    return this.writes.has(id);
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
    return this.peek(id) ?? null;
  }

  /** Ids written after `since`, including deleted ones: the only objects whose indexed version may differ from the live one. */
  writtenSince(since: number): string[] {
    const out: string[] = [];
    for (const [id, entries] of this.writes) if (entries[entries.length - 1].at > since) out.push(id);
    return out;
  }
}
