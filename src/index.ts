/**
 * The gateway's public entry for the workspace packages beside it (bench/): what they may
 * use to build and run a gateway the way `serve` does. Everything else in src/ is internal.
 */
export { apiKeyConfigEntry } from './auth/api-keys.ts';
export { DEFAULT_CACHE_TTL_SECONDS, loadConfig } from './config.ts';
export type { SystemName } from './errors.ts';
export { createGateway } from './gateway.ts';
export { createLogger } from './observability/logger.ts';
export { fromRoot } from './paths.ts';
export { resolveUpstreams } from './upstreams.ts';
