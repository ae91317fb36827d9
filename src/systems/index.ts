/**
 * The registered systems: the one list the gateway loops over, and the one line a new vendor
 * adds here (its module, src/systems/<system>/index.ts, holds everything else). Config and the
 * lower layers read the systems' facts off this list through ./catalog.ts.
 */
import { billingSystem } from './billing/index.ts';
import { chatSystem } from './chat/index.ts';
import { crmSystem } from './crm/index.ts';
import type { FactsByName, SystemName } from './facts.ts';

export const SYSTEMS = [crmSystem, billingSystem, chatSystem] as const;

export type RegisteredSystem = (typeof SYSTEMS)[number];

type Unregistered = Exclude<SystemName, RegisteredSystem['name']>;
/** Does not compile, naming the system, while a facts file declares a system this list lacks. */
export const EVERY_SYSTEM_REGISTERED: [Unregistered] extends [never] ? true : Unregistered = true;

type Misnamed = { [S in SystemName]: FactsByName[S]['name'] extends S ? never : S }[SystemName];
/** Does not compile, naming the system, while a facts file files its facts under another name than its own. */
export const EVERY_SYSTEM_KEYED_BY_ITS_NAME: [Misnamed] extends [never] ? true : Misnamed = true;

/** Each system's per-request loaders, by system name. */
export type SystemLoaders = { [S in RegisteredSystem as S['name']]: ReturnType<S['createLoaders']> };
/** Each system's connector, by system name. */
export type SystemConnectors = { [S in RegisteredSystem as S['name']]: ReturnType<S['createConnector']> };

export type { ChangeNotes, SystemModule, WebhookMapper } from './system.ts';
