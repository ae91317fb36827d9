/**
 * The environment a bench gateway runs with: production mode against the sandbox with its
 * credentials, one configured API key, per-client limits and vendor budgets off, and the
 * cache setting under test. Shared by the bench and the hot loop so both measure the same
 * gateway.
 */
import { readFileSync } from 'node:fs';
import { apiKeyConfigEntry, DEFAULT_CACHE_TTL_SECONDS, fromRoot } from '../src/index.ts';
import type { SystemName } from '@switchboard/sandbox';

/** The gateway process as `npm start` runs it: compiled into dist/ (`npm run bench` builds it first)… */
export const GATEWAY_PROCESS = fromRoot('dist/bench/gateway-process.js');

/** …and with the node flags of the `start` script (the heap budget), read from package.json so the two cannot drift. */
export const START_NODE_FLAGS: string[] = (() => {
  const start: string = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')).scripts.start;
  const words = start.split(/\s+/);
  const flags: string[] = [];
  for (const word of words.slice(words.indexOf('node') + 1)) {
    if (!word.startsWith('--')) break;
    flags.push(word);
  }
  return flags;
})();

/** warm: as deployed; records-only: response cache off; cold: every TTL 0. */
export type CacheSetting = 'warm' | 'records-only' | 'cold';

const upperSnake = (name: string) => name.replace(/([A-Z])/g, '_$1').toUpperCase();

export function benchGatewayEnv(options: {
  urls: Record<SystemName, string>;
  /** What the sandbox accepts (it reports them with its URLs), so this module, compiled into dist/ for the hot loop, needs no sandbox import. */
  credentials: Readonly<Record<SystemName, string>>;
  cache: CacheSetting;
  apiKey: string;
  dataDir?: string;
  databaseUrl?: string;
}): NodeJS.ProcessEnv {
  const { urls, credentials, cache } = options;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // As a production deployment runs Node (graphql-js, among others, skips development-only checks).
    NODE_ENV: 'production',
    SWITCHBOARD_MODE: 'production',
    LOG_LEVEL: 'fatal',
    HUBSPOT_BASE_URL: urls.crm,
    HUBSPOT_TOKEN: credentials.crm,
    STRIPE_BASE_URL: urls.billing,
    STRIPE_API_KEY: credentials.billing,
    // Slack's Web API lives under /api, on the vendor and in the sandbox alike.
    SLACK_BASE_URL: `${urls.chat}/api`,
    SLACK_BOT_TOKEN: credentials.chat,
    SWITCHBOARD_API_KEYS: apiKeyConfigEntry('bench', options.apiKey, ['*']),
    // The bench is one client sending far more than a person would; per-client limiting is off.
    RATE_LIMIT_PER_MINUTE: '0',
    // The sandbox is not the real vendor; its quotas would measure the throttle, not the gateway.
    UPSTREAM_BUDGET_CRM: 'off',
    UPSTREAM_BUDGET_BILLING: 'off',
    UPSTREAM_BUDGET_CHAT: 'off',
  };
  if (options.dataDir) env.SWITCHBOARD_DATA_DIR = options.dataDir;
  // Without it, writes go to the embedded store in the gateway process, whose memory then counts as the gateway's.
  if (options.databaseUrl) {
    env.DATABASE_URL = options.databaseUrl;
    env.DATABASE_SCHEMA = 'switchboard_bench';
  } else delete env.DATABASE_URL;
  // The in-memory cache, as a fresh clone runs it; a config file must not leak in either.
  delete env.REDIS_URL;
  delete env.SWITCHBOARD_CONFIG;
  // The stitching-cost comparison also runs with whole responses uncached: every request executes.
  if (cache === 'records-only') env.RESPONSE_CACHE = '0';
  if (cache === 'cold') {
    // Every resource's TTL 0: nothing outlives its request, so every request starts cold
    // (per-request DataLoaders still batch and dedupe within it, as they must).
    env.CACHE_TTL_DEFAULT = '0';
    for (const resource of Object.keys(DEFAULT_CACHE_TTL_SECONDS)) env[`CACHE_TTL_${upperSnake(resource)}`] = '0';
  }
  return env;
}
