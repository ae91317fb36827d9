/**
 * Which cache entries a change makes stale: the changed system's own entries (its module's
 * `invalidate`, e.g. src/systems/crm/invalidate.ts), then the entries of other systems that
 * link to it (src/links), which may use what the system's part noted.
 */
import type { ResourceCache } from '../cache/types.ts';
import type { SystemName } from '../errors.ts';
import type { ChangeEvent, ChangeNotes } from './types.ts';

export type SystemCaches = Record<SystemName, ResourceCache>;

export type Invalidator = (event: ChangeEvent) => Promise<void>;

/** A system's own part: its cache only. */
export interface InvalidatingSystem {
  name: SystemName;
  invalidate(cache: ResourceCache, event: ChangeEvent): Promise<ChangeNotes | void>;
}

/** A cross-system link's part: runs after the changed system's own, on every system's cache. */
export type LinkInvalidation = (caches: SystemCaches, event: ChangeEvent, notes: ChangeNotes) => Promise<void>;

export function createInvalidator(options: {
  systems: readonly InvalidatingSystem[];
  caches: SystemCaches;
  links: readonly LinkInvalidation[];
}): Invalidator {
  const { caches, links } = options;
  const bySystem = new Map(options.systems.map((system) => [system.name, system]));
  return async (event) => {
    const system = bySystem.get(event.system);
    const notes = (await system?.invalidate(caches[event.system], event)) ?? {};
    for (const link of links) await link(caches, event, notes);
  };
}
