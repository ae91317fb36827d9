/**
 * The CRM search engine: `POST /crm/v3/objects/{type}/search`. Filter groups are OR-ed and
 * the filters inside a group AND-ed; comparisons follow the property's type (numbers and
 * datetimes numerically, strings and enumerations case-insensitively, as HubSpot does for
 * emails). It reads the lagged search view (`record.indexed`), never the live record, so a
 * write shows up only after `knobs.searchLagMs` — and shows its indexed (possibly stale)
 * values, as HubSpot's index does.
 *
 * Cost: when every group has an EQ/IN filter on `hs_object_id` or on a non-datetime property
 * (owner, lifecycle stage, email, domain…), the candidates are the records an index gives for
 * each group's most selective such filter (see search-index.ts), and every filter is then
 * tested on those alone; anything else is one linear pass over the table. Without sorts only
 * the requested page is kept, the rest of the matches only counted; sorts sort every match.
 */
import { isObject, listValue } from './render.ts';
import { type CrmObjectType, LAST_MODIFIED_PROPERTY, type PropertyKind, QUERY_PROPERTIES } from './schema.ts';
import { indexable, kindOf, present, scalar, type SearchKey } from './search-index.ts';
import type { CrmRecord, CrmStore } from './store.ts';

export const SEARCH_LIMITS = {
  maxLimit: 200,
  defaultLimit: 10,
  maxGroups: 5,
  maxFiltersPerGroup: 10,
  maxFiltersTotal: 25,
  maxQueryLength: 3000,
  /** HubSpot's search cannot page past the first 10,000 results. */
  maxResults: 10_000,
} as const;

export const SEARCH_OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;

export type SearchOperator = (typeof SEARCH_OPERATORS)[number];

type Predicate = (properties: Readonly<Record<string, string>>) => boolean;

interface CompiledFilter {
  propertyName: string;
  operator: SearchOperator;
  /** The EQ/IN values as comparison keys, for the index fast path. */
  keys: SearchKey[] | null;
  test: Predicate;
}

type FilterBase = Omit<CompiledFilter, 'test'>;

interface Sort {
  propertyName: string;
  descending: boolean;
}

export interface ParsedSearch {
  groups: CompiledFilter[][];
  sorts: Sort[];
  queryTokens: string[];
  properties: string[] | null;
  limit: number;
  after: number;
}

export type SearchParseResult = { ok: true; search: ParsedSearch } | { ok: false; message: string };

export function parseSearch(type: CrmObjectType, body: unknown): SearchParseResult {
  if (!isObject(body)) return { ok: false, message: 'Invalid input JSON: expected an object' };
  const fail = (message: string): SearchParseResult => ({ ok: false, message });

  const limit = body.limit === undefined || body.limit === null ? SEARCH_LIMITS.defaultLimit : Number(body.limit);
  if (!Number.isInteger(limit) || limit < 0) return fail(`limit must be a non-negative integer, got ${JSON.stringify(body.limit)}`);
  if (limit > SEARCH_LIMITS.maxLimit) return fail(`limit must be less than or equal to ${SEARCH_LIMITS.maxLimit}, got ${limit}`);
  const afterRaw = body.after === undefined || body.after === null || body.after === '' ? '0' : String(body.after);
  if (!/^\d+$/.test(afterRaw)) return fail(`after must be a numeric offset, got ${JSON.stringify(body.after)}`);
  const after = Number(afterRaw);
  if (after + limit > SEARCH_LIMITS.maxResults) {
    return fail(
      `Paging beyond ${SEARCH_LIMITS.maxResults} results is not supported: after (${after}) + limit (${limit}) must not exceed ${SEARCH_LIMITS.maxResults}. Narrow the search with filters.`,
    );
  }

  const query = body.query === undefined || body.query === null ? '' : body.query;
  if (typeof query !== 'string') return fail('query must be a string');
  if (query.length > SEARCH_LIMITS.maxQueryLength) return fail(`query must be at most ${SEARCH_LIMITS.maxQueryLength} characters`);

  const rawGroups = body.filterGroups ?? [];
  if (!Array.isArray(rawGroups)) return fail('filterGroups must be an array');
  if (rawGroups.length > SEARCH_LIMITS.maxGroups)
    return fail(`Too many filter groups: ${rawGroups.length}. The maximum is ${SEARCH_LIMITS.maxGroups}.`);
  const groups: CompiledFilter[][] = [];
  let total = 0;
  for (const [gi, rawGroup] of rawGroups.entries()) {
    const filters = isObject(rawGroup) ? rawGroup.filters : undefined;
    if (!Array.isArray(filters)) return fail(`filterGroups[${gi}].filters must be an array`);
    if (filters.length > SEARCH_LIMITS.maxFiltersPerGroup) {
      return fail(
        `Too many filters in filterGroups[${gi}]: ${filters.length}. The maximum per group is ${SEARCH_LIMITS.maxFiltersPerGroup}.`,
      );
    }
    total += filters.length;
    if (total > SEARCH_LIMITS.maxFiltersTotal)
      return fail(`Too many filters: the maximum across all groups is ${SEARCH_LIMITS.maxFiltersTotal}.`);
    const group: CompiledFilter[] = [];
    for (const [fi, rawFilter] of filters.entries()) {
      const compiled = compileFilter(type, rawFilter);
      if (typeof compiled === 'string') return fail(`filterGroups[${gi}].filters[${fi}]: ${compiled}`);
      group.push(compiled);
    }
    // An empty group matches everything, like no groups at all.
    groups.push(group);
  }

  const sorts: Sort[] = [];
  for (const raw of Array.isArray(body.sorts) ? body.sorts : body.sorts === undefined ? [] : [body.sorts]) {
    if (typeof raw === 'string') {
      const descending = raw.startsWith('-');
      sorts.push({ propertyName: descending ? raw.slice(1) : raw, descending });
    } else if (isObject(raw) && typeof raw.propertyName === 'string') {
      const direction = String(raw.direction ?? 'ASCENDING').toUpperCase();
      if (direction !== 'ASCENDING' && direction !== 'DESCENDING')
        return fail(`sort direction must be ASCENDING or DESCENDING, got ${JSON.stringify(raw.direction)}`);
      sorts.push({ propertyName: raw.propertyName, descending: direction === 'DESCENDING' });
    } else {
      return fail(`Invalid sort ${JSON.stringify(raw)}`);
    }
  }

  const properties = listValue(body.properties);
  return {
    ok: true,
    search: { groups, sorts, queryTokens: tokenizeQuery(query), properties: properties.length > 0 ? properties : null, limit, after },
  };
}

export interface SearchResult {
  total: number;
  /** The page's records with the properties search saw. */
  page: Array<{ record: CrmRecord; properties: Readonly<Record<string, string>> }>;
}

export function runSearch(store: CrmStore, type: CrmObjectType, search: ParsedSearch): SearchResult {
  const { groups, queryTokens, sorts, after, limit } = search;
  const matches = (record: CrmRecord): boolean => {
    const properties = record.indexed;
    if (!properties || !matchesGroups(groups, properties)) return false;
    return queryTokens.length === 0 || matchesQuery(type, queryTokens, properties);
  };
  // Both sources are in ascending id order, HubSpot's order without sorts.
  const source = indexCandidates(store, type, groups) ?? store.tables[type].all;
  const toPage = (records: CrmRecord[]) => records.map((record) => ({ record, properties: record.indexed ?? record.properties }));
  if (sorts.length > 0) {
    const sorted = sortRecords(type, source.filter(matches), sorts);
    return { total: sorted.length, page: toPage(sorted.slice(after, after + limit)) };
  }
  const page: CrmRecord[] = [];
  let total = 0;
  for (const record of source) {
    if (!matches(record)) continue;
    if (total >= after && page.length < limit) page.push(record);
    total++;
  }
  return { total, page: toPage(page) };
}

function matchesGroups(groups: CompiledFilter[][], properties: Readonly<Record<string, string>>): boolean {
  if (groups.length === 0) return true;
  return groups.some((group) => group.every((f) => f.test(properties)));
}

/**
 * A superset of the matches in ascending id order, or null when some group has no indexed
 * EQ/IN filter and the whole table must be read. A group's filters are AND-ed, so its most
 * selective indexed filter bounds it (the others are tested on its records); the groups are
 * OR-ed, so their candidates are merged.
 */
function indexCandidates(store: CrmStore, type: CrmObjectType, groups: CompiledFilter[][]): readonly CrmRecord[] | null {
  if (groups.length === 0) return null;
  const perGroup: Array<readonly CrmRecord[]> = [];
  for (const group of groups) {
    let best: Array<readonly CrmRecord[]> | null = null;
    for (const filter of group) {
      const lists = lookup(store, type, filter);
      if (lists && (best === null || size(lists) < size(best))) best = lists;
    }
    if (!best) return null;
    perGroup.push(union(best));
  }
  return union(perGroup);
}

/** The records an EQ/IN filter can match, one ascending list per value; null when no index serves it. */
function lookup(store: CrmStore, type: CrmObjectType, filter: CompiledFilter): Array<readonly CrmRecord[]> | null {
  const { keys, propertyName } = filter;
  if (keys === null) return null;
  if (propertyName === 'hs_object_id') {
    return keys.map((key) => {
      const record = store.get(type, String(key));
      return record ? [record] : [];
    });
  }
  if (!indexable(type, propertyName)) return null;
  const index = store.tables[type].searchIndex;
  return keys.map((key) => index.lookup(propertyName, key));
}

const size = (lists: ReadonlyArray<readonly CrmRecord[]>) => lists.reduce((sum, list) => sum + list.length, 0);

/** Merges lists sorted by id into one, without duplicates; pairwise, so O(n log k) for k lists. */
function union(lists: ReadonlyArray<readonly CrmRecord[]>): readonly CrmRecord[] {
  let merged = lists.filter((list) => list.length > 0);
  while (merged.length > 1) {
    const next: Array<readonly CrmRecord[]> = [];
    for (let i = 0; i < merged.length; i += 2) next.push(i + 1 < merged.length ? mergeTwo(merged[i], merged[i + 1]) : merged[i]);
    merged = next;
  }
  return merged[0] ?? [];
}

function mergeTwo(a: readonly CrmRecord[], b: readonly CrmRecord[]): CrmRecord[] {
  const out: CrmRecord[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i].num < b[j].num) out.push(a[i++]);
    else if (b[j].num < a[i].num) out.push(b[j++]);
    else {
      out.push(a[i++]);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

// ----- filters ------------------------------------------------------------------------------

function compileFilter(type: CrmObjectType, raw: unknown): CompiledFilter | string {
  if (!isObject(raw)) return 'a filter must be an object';
  const propertyName = raw.propertyName;
  if (typeof propertyName !== 'string' || propertyName === '') return 'propertyName is required';
  const operator = String(raw.operator ?? 'EQ').toUpperCase() as SearchOperator;
  if (!SEARCH_OPERATORS.includes(operator))
    return `Unknown operator ${JSON.stringify(raw.operator)}; expected one of ${SEARCH_OPERATORS.join(', ')}`;
  const kind = kindOf(type, propertyName);
  const needValue = (): string | null => (raw.value === undefined || raw.value === null ? null : String(raw.value));
  const get = (p: Readonly<Record<string, string>>) => p[propertyName];
  const base: FilterBase = { propertyName, operator, keys: null };

  switch (operator) {
    case 'HAS_PROPERTY':
      return { ...base, test: (p) => present(get(p)) };
    case 'NOT_HAS_PROPERTY':
      return { ...base, test: (p) => !present(get(p)) };
    case 'IN':
    case 'NOT_IN': {
      if (!Array.isArray(raw.values) || raw.values.length === 0) return `${operator} needs a non-empty values array`;
      const wanted = raw.values.map((v) => scalar(kind, String(v)));
      const set = new Set<SearchKey>(wanted);
      const isIn = (p: Readonly<Record<string, string>>) => {
        const v = get(p);
        return present(v) && set.has(scalar(kind, v));
      };
      if (operator === 'IN') return { ...base, keys: wanted, test: isIn };
      return { ...base, test: (p) => !isIn(p) };
    }
    case 'BETWEEN': {
      const low = needValue();
      const high = raw.highValue === undefined || raw.highValue === null ? null : String(raw.highValue);
      if (low === null || high === null) return 'BETWEEN needs value and highValue';
      const lo = scalar(kind, low);
      const hi = scalar(kind, high);
      return {
        ...base,
        test: (p) => {
          const v = get(p);
          if (!present(v)) return false;
          const x = scalar(kind, v);
          return x >= lo && x <= hi;
        },
      };
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const value = needValue();
      if (value === null) return `${operator} needs a value`;
      const contains = tokenMatcher(value);
      if (operator === 'CONTAINS_TOKEN') return { ...base, test: (p) => present(get(p)) && contains(get(p) as string) };
      return { ...base, test: (p) => !(present(get(p)) && contains(get(p) as string)) };
    }
    default: {
      const value = needValue();
      if (value === null) return `${operator} needs a value`;
      return compileComparison(base, kind, value);
    }
  }
}

/** EQ, NEQ, LT, LTE, GT, GTE against one value; only EQ can use the equality index. */
function compileComparison(base: FilterBase, kind: PropertyKind, value: string): CompiledFilter | string {
  const { propertyName, operator } = base;
  const get = (p: Readonly<Record<string, string>>) => p[propertyName];
  const target = scalar(kind, value);
  if (typeof target === 'number' && Number.isNaN(target))
    return `${JSON.stringify(value)} is not a valid ${kind} value for ${propertyName}`;
  const compare = (p: Readonly<Record<string, string>>): number | null => {
    const v = get(p);
    if (!present(v)) return null;
    const x = scalar(kind, v);
    return x < target ? -1 : x > target ? 1 : x === target ? 0 : null;
  };
  switch (operator) {
    case 'EQ':
      return { ...base, keys: [target], test: (p) => compare(p) === 0 };
    case 'NEQ':
      return { ...base, test: (p) => compare(p) !== 0 };
    case 'LT':
      return { ...base, test: (p) => (compare(p) ?? 0) < 0 };
    case 'LTE':
      return { ...base, test: (p) => (compare(p) ?? 1) <= 0 };
    case 'GT':
      return { ...base, test: (p) => (compare(p) ?? 0) > 0 };
    case 'GTE':
      return { ...base, test: (p) => (compare(p) ?? -1) >= 0 };
  }
  return `Unsupported operator ${operator}`;
}

const TOKEN_SPLIT = /[^\p{L}\p{N}]+/u;

function tokens(value: string): string[] {
  return value.toLowerCase().split(TOKEN_SPLIT).filter(Boolean);
}

/**
 * CONTAINS_TOKEN: every token of the value must be a token of the property; a `*` makes the
 * value a wildcard pattern over the whole property (HubSpot's `*@example.com`).
 */
function tokenMatcher(value: string): (text: string) => boolean {
  if (value.includes('*')) {
    const pattern = new RegExp(`^${value.toLowerCase().split('*').map(escapeRegExp).join('.*')}$`, 's');
    return (text) => pattern.test(text.toLowerCase());
  }
  const wanted = tokens(value);
  return (text) => {
    const have = new Set(tokens(text));
    return wanted.length > 0 && wanted.every((t) => have.has(t));
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ----- free-text query ----------------------------------------------------------------------

function tokenizeQuery(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * Every whitespace-separated query word must match one searchable property: either as a
 * prefix of the whole value, or with each of its sub-words prefixing a word of the value
 * ("ada" finds "Ada Lovelace", "acme.example" finds "ada@acme.example").
 */
function matchesQuery(type: CrmObjectType, queryTokens: string[], properties: Readonly<Record<string, string>>): boolean {
  const values: Array<{ whole: string; words: string[] }> = [];
  for (const name of QUERY_PROPERTIES[type]) {
    const v = properties[name];
    if (present(v)) values.push({ whole: v.toLowerCase(), words: tokens(v) });
  }
  return queryTokens.every((q) => {
    const parts = tokens(q);
    return values.some(
      ({ whole, words }) => whole.startsWith(q) || (parts.length > 0 && parts.every((part) => words.some((w) => w.startsWith(part)))),
    );
  });
}

// ----- sorting ------------------------------------------------------------------------------

/** Sorts by precomputed keys: parsing a datetime inside the comparator would cost O(n log n) parses. */
function sortRecords(type: CrmObjectType, records: CrmRecord[], sorts: Sort[]): CrmRecord[] {
  const keyed = sorts.map((s) => {
    // hs_lastmodifieddate and lastmodifieddate name the same thing on different objects.
    const name =
      s.propertyName === 'lastmodifieddate' || s.propertyName === 'hs_lastmodifieddate' ? LAST_MODIFIED_PROPERTY[type] : s.propertyName;
    return { name, kind: kindOf(type, name), sign: s.descending ? -1 : 1 };
  });
  const rows = records.map((record) => {
    const p = record.indexed ?? record.properties;
    return { record, keys: keyed.map(({ name, kind }) => (present(p[name]) ? scalar(kind, p[name]) : null)) };
  });
  rows.sort((a, b) => {
    for (let i = 0; i < keyed.length; i++) {
      const x = a.keys[i];
      const y = b.keys[i];
      // Records without a value go last in either direction.
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
        continue;
      }
      if (x < y) return -keyed[i].sign;
      if (x > y) return keyed[i].sign;
    }
    return a.record.num - b.record.num;
  });
  return rows.map((r) => r.record);
}
