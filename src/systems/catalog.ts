/**
 * The catalog of systems: every system's facts (./<system>/facts.ts), the one list the
 * bottom layers (errors, upstream, observability, config) loop over. It is a leaf: config
 * cannot import the registry (./index.ts), since the system modules import the logger, which
 * imports config's types. A new system adds its facts here, and its module in ./index.ts
 * (which the type checker then demands: the registry is keyed by SystemName).
 */
import { billingFacts } from './billing/facts.ts';
import { chatFacts } from './chat/facts.ts';
import { crmFacts } from './crm/facts.ts';
import type { SystemFacts } from './facts.ts';

export const CATALOG = [crmFacts, billingFacts, chatFacts] as const;

export type CatalogEntry = (typeof CATALOG)[number];
export type SystemName = CatalogEntry['name'];

/** Every system's name, in registration order. */
export const SYSTEM_NAMES: readonly SystemName[] = CATALOG.map((facts) => facts.name);

const BY_NAME: Readonly<Record<string, SystemFacts>> = Object.fromEntries(CATALOG.map((facts) => [facts.name, facts]));

export function factsOf(system: SystemName): SystemFacts {
  return BY_NAME[system];
}

/** Every system's default cache TTLs in one table: resource names are unique across systems. */
export const SYSTEM_TTL_SECONDS: Readonly<Record<string, number>> = Object.assign({}, ...CATALOG.map((facts) => facts.ttlSeconds));

export type { BudgetLimit, SystemFacts } from './facts.ts';

// Chat's own setting (SLACK_DIRECTORY_REFRESH_SECONDS), whose default config reads here.
export { DEFAULT_DIRECTORY_REFRESH_SECONDS } from './chat/facts.ts';
