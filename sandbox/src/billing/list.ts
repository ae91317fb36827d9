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
  /** Names the object in a missing-cursor error ("No such customer: 'cus_x'"). */
  noun: string;
  table: Table<R>;
  /** The rows to page over: the whole table or one index bucket. */
  rows: RowSet<R>;
  filter?: (row: R) => boolean;
  /** Conditions of `filter` that seeded rows' columns can answer, checked before building them. */
  columns?: ColumnTest[];
  render: (row: R) => Json;
}

export function listResponse<R extends Row>(store: BillingStore, spec: ListSpec<R>, params: ListParams & { created?: Range }): Json {
  const { itemPaths } = splitListExpand(params.expand, false);
  const cursor = (id: string | undefined, param: string): Row | undefined => {
    if (!id) return undefined;
    const row = spec.table.getAny(id);
    if (!row) throw referenceMissing(spec.noun, id, param);
    return row;
  };
  const page = pageRows(spec.rows, {
    limit: params.limit,
    startingAfter: cursor(params.startingAfter, 'starting_after'),
    endingBefore: cursor(params.endingBefore, 'ending_before'),
    filter: spec.filter,
    quick: spec.columns ? spec.table.quick(spec.columns) : undefined,
    created: params.created,
  });
  const data = page.data.map((row) => expandObject(store, spec.render(row), itemPaths));
  return listObject(spec.url, data, page.hasMore);
}
