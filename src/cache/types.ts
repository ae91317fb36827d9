/**
 * The cross-request cache as connectors' loaders see it: normalized records per entity,
 * already scoped to one system and one upstream credential, with TTLs chosen per resource.
 * `undefined` means "not cached"; `null` is a cached "does not exist / no link" answer.
 */
export interface ResourceCache {
  getMany<T>(resource: string, ids: readonly string[]): Promise<(T | null | undefined)[]>;
  setMany<T>(resource: string, entries: readonly (readonly [id: string, value: T | null])[]): Promise<void>;
  delete(resource: string, ids: readonly string[]): Promise<void>;
}
