/**
 * The registered systems: the one list the gateway loops over. A new vendor adds its
 * module (src/systems/<system>/index.ts), one line here, and its TTL table in ./ttls.ts.
 */
import { billingSystem } from './billing/index.ts';
import { chatSystem } from './chat/index.ts';
import { crmSystem } from './crm/index.ts';

export const SYSTEMS = [crmSystem, billingSystem, chatSystem] as const;

export type RegisteredSystem = (typeof SYSTEMS)[number];

/** Each system's per-request loaders, by system name. */
export type SystemLoaders = { [S in RegisteredSystem as S['name']]: ReturnType<S['createLoaders']> };
/** Each system's connector, by system name. */
export type SystemConnectors = { [S in RegisteredSystem as S['name']]: ReturnType<S['createConnector']> };

export { SYSTEM_TTL_SECONDS } from './ttls.ts';

export type { ChangeNotes, SystemModule, WebhookMapper } from './system.ts';
