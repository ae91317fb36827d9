/**
 * Every system's default cache TTLs in one table, for config (CACHE_TTL_<RESOURCE> overrides
 * each). Read from each system's resources file, which imports nothing: config cannot import
 * the registry, since the system modules import the logger, which imports config's types.
 * A new system adds its table here as well as its line in ./index.ts.
 */
import { BILLING_TTL_SECONDS } from './billing/resources.ts';
import { CHAT_TTL_SECONDS, DEFAULT_DIRECTORY_REFRESH_SECONDS } from './chat/resources.ts';
import { CRM_TTL_SECONDS } from './crm/resources.ts';

/** Resource names are unique across systems, so one table holds them all. */
export const SYSTEM_TTL_SECONDS: Readonly<Record<string, number>> = { ...CRM_TTL_SECONDS, ...BILLING_TTL_SECONDS, ...CHAT_TTL_SECONDS };

export { DEFAULT_DIRECTORY_REFRESH_SECONDS };
