/**
 * Stripe list responses: `{ object: 'list', url, has_more, data }`, newest first, paged by
 * `starting_after` / `ending_before` object ids (see `table.ts` for why paging by key is exact).
 */
import { referenceMissing } from './errors.ts';
import { expandObject, splitListExpand } from './expand.ts';
import type { ListParams, Range } from './params.ts';
import { type Json, listObject } from './render.ts';
import type { Row } from './records.ts';
import type { BillingStore } from './store.ts';
import { type ColumnTest, pageRows, type RowSet, type Table } from './table.ts';

export interface ListSpec<R extends Row> {
  url: string;
  table: Table<R>;
  /**
   * Ids of parents narrowing the list, by index name, the preferred first (`{ invoice, customer }`):
   * the rows of the first non-empty id's bucket (else the whole table) that also match every id
   * given after the first one given. (The `created` range needs no filter: it bounds the walk.)
   */
  by?: Readonly<Record<string, string | undefined>>;
  filter?: (row: R) => boolean;
  /** Conditions of `filter` that seeded rows' columns can answer, checked before building them. */
  columns?: ColumnTest[];
  render: (row: R) => Json;
}

/** The rows `by` narrows a list to, and the check of the ids that did not pick them. */
function narrow<R extends Row>(table: Table<R>, by: ListSpec<R>['by'] = {}): { rows: RowSet<R>; check?: (row: R) => boolean } {
  const given = Object.entries(by).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const bucket = given.find(([, id]) => id !== '');
  const rows = bucket ? table.bucket(bucket[0], bucket[1]) : table.all();
  const keys = given.slice(1).map(([index, id]) => [table.indexKey(index), id] as const);
  if (keys.length === 0) return { rows };
  return { rows, check: (row) => keys.every(([key, id]) => key(row) === id) };
}

export function listResponse<R extends Row>(store: BillingStore, params: ListParams & { created?: Range }, spec: ListSpec<R>): Json {
  const { itemPaths } = splitListExpand(params.expand, false);
  const cursor = (id: string | undefined, param: string): Row | undefined => {
    if (!id) return undefined;
    const row = spec.table.getAny(id);
    if (!row) throw referenceMissing(spec.table.noun, id, param);
    return row;
  };
  const { rows, check } = narrow(spec.table, spec.by);
  const { filter } = spec;
  const page = pageRows(rows, {
    limit: params.limit,
    startingAfter: cursor(params.startingAfter, 'starting_after'),
    endingBefore: cursor(params.endingBefore, 'ending_before'),
    filter: check && filter ? (row) => check(row) && filter(row) : (check ?? filter),
    quick: spec.columns ? spec.table.quick(spec.columns) : undefined,
    created: params.created,
  });
  const data = page.data.map((row) => expandObject(store, spec.render(row), itemPaths));
  return listObject(spec.url, data, page.hasMore);
}
