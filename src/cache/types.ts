import type { SystemName } from '../errors.ts';

/**
 * The cross-request cache as connectors' loaders see it: normalized records per entity,
 * already scoped to one system and one upstream credential, with TTLs chosen per resource.
 * `undefined` means "not cached"; `null` is a cached "does not exist / no link" answer.
 */
export interface ResourceCache {
  /** The system whose records it holds (for traces); absent in caches made for tests. */
  readonly system?: SystemName;
  getMany<T>(resource: string, ids: readonly string[]): Promise<(T | null | undefined)[]>;
  /**
   * Stores records. With `fetchedSince` (when the upstream read that produced them began),
   * a record invalidated since then is not stored: it was read before the write or change
   * that the invalidation announced, and would put the old value back.
   */
  setMany<T>(resource: string, entries: readonly (readonly [id: string, value: T | null])[], fetchedSince?: number): Promise<void>;
  /** The ids an invalidation fenced at or after `since` (all of them when the store cannot tell). */
  fencedSince(resource: string, ids: readonly string[], since: number): Promise<string[]>;
  /** Forgets records, and fences them against reads begun before now (see `setMany`). */
  delete(resource: string, ids: readonly string[]): Promise<void>;
}
