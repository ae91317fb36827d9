/**
 * Which cache entries a change makes stale. The cache is normalized (each record once,
 * under its id; links as id lists), so a change drops the record and the link entries
 * that can point at it or be changed by it.
 */
import type { ResourceCache } from '../cache/types.ts';
import type { SystemName } from '../errors.ts';
import type { ChangeEvent } from './types.ts';

export type SystemCaches = Record<SystemName, ResourceCache>;

export type Invalidator = (event: ChangeEvent) => Promise<void>;

/** Placeholder until the per-entity rules land: drops the changed record itself. */
export function createInvalidator(caches: SystemCaches): Invalidator {
  return async (event) => {
    await caches[event.system].delete(event.entity, [event.id]);
  };
}
