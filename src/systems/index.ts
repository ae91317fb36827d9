/**
 * The registered systems: the one list the gateway loops over. A new vendor adds its
 * module (src/systems/<system>/index.ts) here, and its facts (./<system>/facts.ts) to the
 * catalog (./catalog.ts), which the bottom layers and config read without the behaviour.
 */
import { billingSystem } from './billing/index.ts';
import { chatSystem } from './chat/index.ts';
import type { SystemName } from './catalog.ts';
import { crmSystem } from './crm/index.ts';

export const SYSTEMS = [crmSystem, billingSystem, chatSystem] as const;

export type RegisteredSystem = (typeof SYSTEMS)[number];

type Unregistered = Exclude<SystemName, RegisteredSystem['name']>;
/** Does not compile, naming the system, while the catalog lists a system this registry lacks. */
export const EVERY_SYSTEM_REGISTERED: [Unregistered] extends [never] ? true : Unregistered = true;

/** Each system's per-request loaders, by system name. */
export type SystemLoaders = { [S in RegisteredSystem as S['name']]: ReturnType<S['createLoaders']> };
/** Each system's connector, by system name. */
export type SystemConnectors = { [S in RegisteredSystem as S['name']]: ReturnType<S['createConnector']> };

export { SYSTEM_TTL_SECONDS } from './catalog.ts';

export type { ChangeNotes, SystemModule, WebhookMapper } from './system.ts';
