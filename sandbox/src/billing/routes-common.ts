/** Pieces every resource's routes share: list/search param parsing, expansion of a single object, update and delete by id. */
import type { ApiContext, BillingApi } from './api.ts';
import type { OpContext } from './changes.ts';
import { expandObject } from './expand.ts';
import { LIST_PARAMS, type ListParams, listParams, type Params, type Range } from './params.ts';
import type { Json } from './render.ts';
import type { SearchParams } from './search.ts';
import type { BillingStore } from './store.ts';

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

/** What the update and delete routes of a resource need: the lookup by path id, the update's params, the operations. */
export interface UpdateAndDelete<R, I> {
  get: (store: BillingStore, id: string) => R;
  input: (p: Params) => I;
  update: (ctx: OpContext, rec: R, input: I) => Json;
  remove: (ctx: OpContext, rec: R) => Json;
}

/** `POST <path>/:id` (answers the updated object, expanded as asked) and `DELETE <path>/:id` (takes no params). */
export function updateAndDeleteRoutes<R, I>(api: BillingApi, path: string, spec: UpdateAndDelete<R, I>): void {
  api.post(`${path}/:id`, {
    validate: (p) => spec.input(p),
    execute: (ctx, input) => withExpand(ctx, spec.update(ctx, spec.get(ctx.store, ctx.req.params.id), input)),
  });
  api.delete(`${path}/:id`, (ctx) => {
    ctx.params.allow([]);
    return spec.remove(ctx, spec.get(ctx.store, ctx.req.params.id));
  });
}
