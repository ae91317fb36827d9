/**
 * Every registered system's facts (./<system>/facts.ts), read off the registry (./index.ts):
 * the list config, the upstream layer and observability loop over. Nothing a system module
 * imports may import this file (the lint's no-cycle rule holds it): those layers name systems
 * by the SystemName type of ./facts.ts alone.
 */
import type { CatalogEntry, SystemFacts, SystemName } from './facts.ts';
import { SYSTEMS } from './index.ts';

export const CATALOG: readonly CatalogEntry[] = SYSTEMS.map((system) => system.facts);

/** Every system's name, in registration order. */
export const SYSTEM_NAMES: readonly SystemName[] = CATALOG.map((facts) => facts.name);

const BY_NAME: Readonly<Record<string, SystemFacts>> = Object.fromEntries(CATALOG.map((facts) => [facts.name, facts]));

export function factsOf(system: SystemName): SystemFacts {
  return BY_NAME[system];
}

/** Every system's default cache TTLs in one table: resource names are unique across systems. */
export const SYSTEM_TTL_SECONDS: Readonly<Record<string, number>> = Object.assign({}, ...CATALOG.map((facts) => facts.ttlSeconds));

export type { BudgetLimit, CatalogEntry, SystemFacts, SystemName } from './facts.ts';

// Chat's own setting (SLACK_DIRECTORY_REFRESH_SECONDS), whose default config reads here.
export { DEFAULT_DIRECTORY_REFRESH_SECONDS } from './chat/index.ts';
