/**
 * The search endpoints (`GET /v1/<resource>/search`) over an index that lags writes.
 *
 * Stripe's search is not read-after-write: a new object shows up within about a minute and an
 * updated one may still match on its old values. The emulator reproduces that exactly enough
 * to test against: the index sees every object as it was `knobs.searchLagMs` ago (see
 * `Table.versionAt`) — created less than the lag ago: invisible; updated: matched on its
 * previous version. Results are rendered from the live object, as Stripe returns current
 * objects for a stale match.
 *
 * Cost: a `:` clause on an indexed field (email, metadata, customer…) looks candidates up;
 * anything else is one linear scan that stops after `limit + 1` matches.
 */
import { invalidParam } from './errors.ts';
import { expandObject, splitListExpand } from './expand.ts';
import type { Metadata, Row } from './records.ts';
import type { Json } from './render.ts';
import { type Clause, parseQuery, type ParsedQuery } from './search-query.ts';
import type { BillingStore } from './store.ts';
import { NO_COLUMN, type Quick, type Table } from './table.ts';

export type FieldType = 'string' | 'token' | 'numeric' | 'boolean';

export interface SearchField<R> {
  type: FieldType;
  get: (row: R) => string | number | boolean | null;
  /** `:` lookups use this table index (exact ids such as `customer`). */
  bucket?: string;
  /** `:` lookups use the lazily built value index. */
  indexed?: boolean;
  /** The record field the seed's columns hold for this query field, so scans can skip rows unbuilt. */
  column?: string;
}

export interface SearchSpec<R extends Row> {
  /** `customers`, for the URL and messages. */
  resource: string;
  table: Table<R>;
  fields: Record<string, SearchField<R>>;
  metadata: (row: R) => Metadata;
  render: (row: R) => Json;
}

export interface SearchParams {
  query: string;
  limit: number;
  page?: string;
  expand: string[];
}

const lower = (v: string) => v.toLowerCase();
const SEP = '\u0000';

/** Value index for `:` clauses (exact, case-insensitive), refreshed from the table's changed ids. */
class ValueIndex<R extends Row> {
  private built = false;
  private readonly postings = new Map<string, string[]>();
  private readonly keysOf = new Map<string, string[]>();

  constructor(private readonly spec: SearchSpec<R>) {}

  private keys(row: R): string[] {
    const out: string[] = [];
    for (const [name, field] of Object.entries(this.spec.fields)) {
      if (!field.indexed) continue;
      const v = field.get(row);
      if (v !== null && v !== '') out.push(name + SEP + lower(String(v)));
    }
    for (const [k, v] of Object.entries(this.spec.metadata(row))) out.push(`metadata${SEP}${k}${SEP}${lower(v)}`);
    return out;
  }

  private add(id: string, row: R): void {
    const keys = this.keys(row);
    if (keys.length === 0) return;
    this.keysOf.set(id, keys);
    for (const key of keys) {
      const list = this.postings.get(key);
      if (list) list.push(id);
      else this.postings.set(key, [id]);
    }
  }

  private drop(id: string): void {
    const keys = this.keysOf.get(id);
    if (!keys) return;
    this.keysOf.delete(id);
    for (const key of keys) {
      const list = this.postings.get(key);
      if (!list) continue;
      const at = list.indexOf(id);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.postings.delete(key);
    }
  }

  private refresh(): void {
    const { table } = this.spec;
    if (!this.built) {
      table.drainChanged();
      for (const row of table.indexableRows()) this.add(row.id, row);
      this.built = true;
      return;
    }
    for (const id of table.drainChanged()) {
      this.drop(id);
      const row = table.peek(id);
      if (row) this.add(id, row);
    }
  }

  /** Ids whose live version has this value (callers add recently written ids themselves). */
  lookup(clause: Clause): string[] {
    this.refresh();
    const key =
      clause.metadataKey !== undefined
        ? `metadata${SEP}${clause.metadataKey}${SEP}${lower(String(clause.value))}`
        : clause.field + SEP + lower(String(clause.value));
    return this.postings.get(key) ?? [];
  }
}

function validate<R extends Row>(spec: SearchSpec<R>, parsed: ParsedQuery): void {
  for (const c of parsed.clauses) {
    if (c.metadataKey !== undefined) {
      if (c.operator !== ':') throw invalidParam('query', `Metadata supports only the ':' operator (got '${c.operator}').`);
      if (c.value !== null && !c.quoted) throw invalidParam('query', 'Metadata values must be double-quoted strings.');
      continue;
    }
    const field = spec.fields[c.field];
    if (!field) {
      const names = [...Object.keys(spec.fields), 'metadata'].sort().join(', ');
      throw invalidParam('query', `Field '${c.field}' is not supported for search on ${spec.resource}. Supported fields: ${names}.`);
    }
    const numericOp = c.operator === '>' || c.operator === '<' || c.operator === '>=' || c.operator === '<=';
    if (field.type === 'numeric') {
      if (c.operator === '~') throw invalidParam('query', `Field '${c.field}' is numeric and does not support the '~' operator.`);
      if (c.value !== null && typeof c.value !== 'number' && !/^-?\d+(\.\d+)?$/.test(c.value))
        throw invalidParam('query', `Field '${c.field}' is numeric; '${c.value}' is not a number.`);
      if (numericOp && c.value === null) throw invalidParam('query', `Comparisons with null are not supported ('${c.field}').`);
      continue;
    }
    if (numericOp) throw invalidParam('query', `Field '${c.field}' is not numeric and does not support the '${c.operator}' operator.`);
    if (c.operator === '~') {
      if (field.type !== 'string') throw invalidParam('query', `Field '${c.field}' does not support the '~' (substring) operator.`);
      if (typeof c.value !== 'string' || c.value.length < 3)
        throw invalidParam('query', `Substring searches need at least 3 characters ('${c.field}~').`);
    }
    if (field.type === 'string' || field.type === 'token') {
      if (c.value !== null && !c.quoted) throw invalidParam('query', `Field '${c.field}' takes a double-quoted string value.`);
    }
  }
}

/** `:` on a string field: the query's words appear, in order and adjacent, among the value's words. */
function wordsMatch(value: string, query: string): boolean {
  const v = lower(value).split(/\s+/).filter(Boolean);
  const q = lower(query).split(/\s+/).filter(Boolean);
  if (q.length === 0) return v.length === 0;
  outer: for (let i = 0; i + q.length <= v.length; i++) {
    for (let j = 0; j < q.length; j++) if (v[i + j] !== q[j]) continue outer;
    return true;
  }
  return false;
}

function clauseMatches<R extends Row>(spec: SearchSpec<R>, c: Clause, row: R): boolean {
  if (c.metadataKey !== undefined) return valueMatches(c, spec.metadata(row)[c.metadataKey] ?? null, 'token');
  const field = spec.fields[c.field];
  return valueMatches(c, field.get(row), field.type);
}

function valueMatches(c: Clause, actual: unknown, type: FieldType): boolean {
  if (c.value === null) return actual === null || actual === undefined || actual === '';
  if (actual === null || actual === undefined || actual === '') return false;
  switch (type) {
    case 'numeric': {
      const a = Number(actual);
      const b = Number(c.value);
      if (c.operator === ':') return a === b;
      if (c.operator === '>') return a > b;
      if (c.operator === '<') return a < b;
      if (c.operator === '>=') return a >= b;
      return a <= b;
    }
    case 'string':
      if (c.operator === '~') return lower(String(actual)).includes(lower(String(c.value)));
      return wordsMatch(String(actual), String(c.value));
    case 'boolean':
    case 'token':
      return lower(String(actual)) === lower(String(c.value));
  }
}

/**
 * Judges untouched seeded rows from their columns: they carry no metadata (the seed is
 * plain), and `column` fields read straight from the columns. Clauses the columns cannot
 * answer count as passing (AND) or disable the shortcut (OR).
 */
function quickFor<R extends Row>(spec: SearchSpec<R>, parsed: ParsedQuery): Quick | undefined {
  const source = spec.table.seedSource;
  if (!source?.field || !source.plain || source.length === 0) return undefined;
  const tests: ((pos: number) => boolean)[] = [];
  for (const c of parsed.clauses) {
    let test: ((pos: number) => boolean) | null = null;
    if (c.metadataKey !== undefined) test = () => valueMatches(c, null, 'token') !== c.negated;
    else {
      const field = spec.fields[c.field];
      const column = field.column;
      if (column && source.field(0, column) !== NO_COLUMN)
        test = (pos) => valueMatches(c, source.field!(pos, column), field.type) !== c.negated;
    }
    if (test) tests.push(test);
    else if (parsed.join === 'OR') return undefined;
  }
  if (tests.length === 0) return undefined;
  return parsed.join === 'AND' ? (pos) => tests.every((t) => t(pos)) : (pos) => tests.some((t) => t(pos));
}

function matcher<R extends Row>(spec: SearchSpec<R>, parsed: ParsedQuery): (row: R) => boolean {
  const test = (c: Clause, row: R) => clauseMatches(spec, c, row) !== c.negated;
  return parsed.join === 'AND' ? (row) => parsed.clauses.every((c) => test(c, row)) : (row) => parsed.clauses.some((c) => test(c, row));
}

/**
 * Candidates from indexes, or null when the query needs a scan: id → the live row when the
 * index handed it out (a bucket of the table), undefined when only the id is known.
 */
function candidates<R extends Row>(spec: SearchSpec<R>, index: ValueIndex<R>, parsed: ParsedQuery): Map<string, R | undefined> | null {
  const add = (out: Map<string, R | undefined>, c: Clause): boolean => {
    if (c.negated || c.operator !== ':' || c.value === null) return false;
    const field = c.metadataKey === undefined ? spec.fields[c.field] : null;
    if (field?.bucket) {
      for (const row of spec.table.bucket(field.bucket, String(c.value)).ascending()) out.set(row.id, row);
    } else if (field === null || field.indexed) {
      for (const id of index.lookup(c)) if (!out.has(id)) out.set(id, undefined);
    } else return false;
    return true;
  };
  if (parsed.join === 'AND') {
    for (const c of parsed.clauses) {
      const out = new Map<string, R | undefined>();
      if (add(out, c)) return out;
    }
    return null;
  }
  const out = new Map<string, R | undefined>();
  for (const c of parsed.clauses) if (!add(out, c)) return null;
  return out;
}

const byKeyDesc = (a: Row, b: Row) => b.created - a.created || b.seq - a.seq;
const before = (row: Row, cursor: Row | undefined) => !cursor || byKeyDesc(cursor, row) < 0;

function encodePage(row: Row, query: string): string {
  return Buffer.from(JSON.stringify([row.created, row.seq, queryTag(query)])).toString('base64url');
}

function decodePage(page: string, query: string): Row {
  try {
    const [created, seq, tag] = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as [number, number, string];
    if (typeof created === 'number' && typeof seq === 'number' && tag === queryTag(query)) return { id: '', created, seq };
  } catch {
    // fall through to the error below
  }
  throw invalidParam('page', 'Invalid page: the page token is malformed or belongs to a different query.');
}

const queryTag = (query: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < query.length; i++) h = Math.imul(h ^ query.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
};

export class SearchEngine<R extends Row> {
  private index: ValueIndex<R>;

  constructor(
    private readonly store: BillingStore,
    readonly spec: SearchSpec<R>,
  ) {
    this.index = new ValueIndex(spec);
  }

  /** Drops the value index (after a reseed); it is rebuilt on the next search. */
  reset(): void {
    this.index = new ValueIndex(this.spec);
  }

  search(params: SearchParams, lagMs: number): Json {
    const { itemPaths, totalCount } = splitListExpand(params.expand, true);
    const parsed = parseQuery(params.query);
    validate(this.spec, parsed);
    const cursor = params.page ? decodePage(params.page, params.query) : undefined;
    const matches = matcher(this.spec, parsed);
    const { table } = this.spec;
    const asOf = Date.now() - Math.max(0, lagMs);
    // Objects written within the lag are the only ones whose indexed version differs from the live one.
    const recent = lagMs > 0 ? table.writtenSince(asOf) : [];
    const stale = (id: string) => lagMs > 0 && table.hasWrites(id);
    // A live row already in hand is reused: building a seeded invoice again costs as much as the first time.
    const indexed = (id: string, live?: R): R | null => (stale(id) ? table.versionAt(id, asOf) : (live ?? table.peek(id) ?? null));

    const ids = candidates(this.spec, this.index, parsed);
    let found: R[];
    let total = 0;
    const want = params.limit + 1;
    if (ids) {
      for (const id of recent) if (!ids.has(id)) ids.set(id, undefined);
      const hits: R[] = [];
      for (const [id, live] of ids) {
        const row = indexed(id, live);
        if (row && matches(row)) hits.push(row);
      }
      hits.sort(byKeyDesc);
      total = hits.length;
      found = hits.filter((r) => before(r, cursor)).slice(0, want);
    } else {
      // Deleted objects still in the lagging index are not in the live rows: merge them in.
      const extra: R[] = [];
      for (const id of recent) {
        if (table.peek(id)) continue;
        const row = indexed(id);
        if (row && matches(row)) extra.push(row);
      }
      extra.sort(byKeyDesc);
      found = [];
      let e = 0;
      // Without a total to count, the scan can start at the cursor and stop after a page.
      const quick = quickFor(this.spec, parsed);
      for (const live of table.all().descending(totalCount ? undefined : cursor, quick)) {
        const row = indexed(live.id, live);
        if (!row || !matches(row)) continue;
        while (e < extra.length && byKeyDesc(extra[e], row) < 0) {
          total++;
          if (before(extra[e], cursor) && found.length < want) found.push(extra[e]);
          e++;
        }
        total++;
        if (before(row, cursor) && found.length < want) found.push(row);
        if (found.length >= want && !totalCount) break;
      }
      for (; e < extra.length; e++) {
        total++;
        if (before(extra[e], cursor) && found.length < want) found.push(extra[e]);
      }
    }
    const hasMore = found.length > params.limit;
    if (hasMore) found.length = params.limit;
    // Stale matches render as the object is now; every other found row is the live one.
    const data = found.map((row) =>
      expandObject(this.store, this.spec.render(stale(row.id) ? (table.peek(row.id) ?? row) : row), itemPaths),
    );
    const out: Json = {
      object: 'search_result',
      data,
      has_more: hasMore,
      next_page: hasMore ? encodePage(found[found.length - 1], params.query) : null,
      url: `/v1/${this.spec.resource}/search`,
    };
    if (totalCount) out.total_count = Math.min(total, 10_000);
    return out;
  }
}
