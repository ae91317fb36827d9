/** Pieces every resource's routes share: list/search param parsing and expansion of a single object. */
import type { ApiContext } from './api.ts';
import { expandObject } from './expand.ts';
import { inRange, LIST_PARAMS, type ListParams, listParams, type Params, type Range } from './params.ts';
import type { Json } from './render.ts';
import type { Row } from './records.ts';
import type { SearchParams } from './search.ts';

/** What routes need from the emulator besides the store: the live search lag. */
export interface RouteDeps {
  searchLagMs: () => number;
}

export function withExpand(ctx: ApiContext, json: Json, expand?: string[]): Json {
  return expandObject(ctx.store, json, expand ?? ctx.params.expand());
}

export interface ListQuery extends ListParams {
  created?: Range;
}

/** Reads the pagination params plus `created`, rejecting params not in `extra`. */
export function listQuery(p: Params, extra: readonly string[]): ListQuery {
  p.allow([...LIST_PARAMS, 'created', ...extra]);
  return { ...listParams(p), created: p.range('created') };
}

export const createdIn = (q: ListQuery): ((row: Row) => boolean) | undefined =>
  q.created ? (row) => inRange(row.created, q.created) : undefined;

export function searchQuery(p: Params): SearchParams {
  p.allow(['query', 'limit', 'page', 'expand']);
  const query = p.string('query', { required: true })!;
  return { query, limit: p.int('limit', { min: 1, max: 100 }) ?? 10, page: p.string('page') || undefined, expand: p.expand() };
}

/** Combines optional filters into one predicate (undefined when there are none). */
export function allOf<R>(...filters: (((row: R) => boolean) | undefined | false)[]): ((row: R) => boolean) | undefined {
  const active = filters.filter((f): f is (row: R) => boolean => typeof f === 'function');
  if (active.length === 0) return undefined;
  return (row) => active.every((f) => f(row));
}
