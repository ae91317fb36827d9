/** The configuration's shape: what loadConfig returns, and the error it throws. */
import type { SystemName } from '../errors.ts';
import type { CatalogEntry } from '../systems/catalog.ts';
import type { ApiKeyEntry } from './api-keys.ts';
import type { LogLevel } from '../observability/logger.ts';
import type { TracingConfig } from '../observability/tracing.ts';

// The logger owns its levels: it sits below config, which must not be imported from below.
export { LOG_LEVELS, type LogLevel } from '../observability/logger.ts';
// Likewise the tracing settings' shape.
export type { TracingConfig } from '../observability/tracing.ts';

export type Mode = 'demo' | 'production';

/** Per system, its base URL and credential, the credential under the field its facts name (`config.crm.token`). */
export type SystemConfigs = {
  [F in CatalogEntry as F['name']]: { baseUrl?: string } & { [K in F['credentialField']]?: string };
};

export interface Config extends SystemConfigs {
  port: number;
  host: string;
  mode: Mode;
  logLevel: LogLevel;
  /** Systems with neither base URL nor credential configured; the embedded sandbox serves them. */
  sandboxSystems: SystemName[];
  upstream: { timeoutMs: number; retries: number };
  /** Resilience knobs of the shared upstream layer (issue 6); see the README's resilience section. */
  resilience: ResilienceConfig;
  cache: {
    redisUrl?: string;
    maxEntries: number;
    maxBytes: number;
    responses: { enabled: boolean; maxBytes: number };
    ttlSeconds: Record<string, number>;
  };
  sandbox: { seed: number; contacts: number; latencyMs: number };
  /** Inbound vendor webhooks and live data (issue 5). */
  webhooks: WebhookConfig;
  auth: AuthConfig;
  limits: LimitsConfig;
  /** Durable write state: idempotency records and the audit log (issue 4). */
  store: StoreConfig;
  /** The MCP endpoint (/mcp) for AI assistants. */
  mcp: McpConfig;
  /** OpenTelemetry traces (src/observability/tracing.ts). */
  tracing: TracingConfig;
  /** Alert thresholds over the integration health (src/health/alerts.ts). */
  alerts: AlertsConfig;
}

/** When the health model raises an alert (src/health/alerts.ts); defaults in ./defaults.ts. */
export interface AlertsConfig {
  /** quota_low: a budget bucket has less than this percentage of its calls left (0 turns it off)… */
  quotaLeftPercent: number;
  /** …for at least this long (0: at the first sample that sees it). */
  quotaForSeconds: number;
  /** breaker_open: the breaker has not been closed (open, or half-open trying) for longer than this. */
  breakerOpenSeconds: number;
  /** webhook_lag: the last accepted delivery arrived more than this far behind the vendor's event time. */
  webhookLagSeconds: number;
  /** outcome_unknown: a cross-system write ended OUTCOME_UNKNOWN. */
  onOutcomeUnknown: boolean;
}

export interface McpConfig {
  /** Offer the `graphql_query` tool (any read-only query, within the usual limits); default false: trusted documents only. */
  allowArbitrary: boolean;
}

export interface StoreConfig {
  /** PostgreSQL; unset: the embedded SQLite store under `<SWITCHBOARD_DATA_DIR>/store`. */
  databaseUrl?: string;
  /** Schema holding the tables (created if missing), so replicas of one deployment share it. */
  schema: string;
  /** How long a running write holds its idempotency key before another replica may take it over. */
  leaseMs: number;
  /** How long a request with the key of a write still running waits for its outcome. */
  waitMs: number;
}

export interface AuthConfig {
  apiKeys: ApiKeyEntry[];
  /** Demo mode's development key when given as SWITCHBOARD_DEV_KEY (else it is kept in the data directory). */
  devApiKey?: string;
  jwt?: {
    jwksUrl?: string;
    publicKey?: string;
    algorithm: string;
    issuer?: string;
    audience?: string;
    scopesClaim: string;
    clockSkewSeconds: number;
  };
}

export interface LimitsConfig {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
  maxBodyBytes: number;
  /** Per principal; 0 turns rate limiting off. */
  rateLimitPerMinute: number;
  trustedDocuments: boolean;
  allowIntrospection: boolean;
  allowGraphiql: boolean;
}

/** A vendor-quota override: `limit` calls per `windowMs`, or `off`. */
export type BudgetSetting = { limit: number; windowMs: number } | 'off';

export interface ResilienceConfig {
  /** How long one GraphQL request may take in total; upstream calls are cut when it passes. */
  requestDeadlineMs: number;
  /** Concurrent upstream calls per system; more queue (up to `bulkheadQueue`), then fail fast. */
  bulkhead: number;
  bulkheadQueue: number;
  /** Queries and mutations executing at once in this process; more wait (up to `maxQueuedOperations`), then fail OVERLOADED. */
  maxConcurrentOperations: number;
  maxQueuedOperations: number;
  /** Consecutive failures that open a system's breaker, and how long it stays open. */
  breakerThreshold: number;
  breakerHalfOpenMs: number;
  /** Per-system quota overrides; unset means the vendor's documented limit (off for sandbox systems). */
  budgets: Partial<Record<SystemName, BudgetSetting>>;
  /** Per system with plans, the vendor plan its documented quotas follow (HUBSPOT_PLAN, SLACK_APP_DISTRIBUTION). */
  plans: Partial<Record<SystemName, string>>;
  /** Longest wait for quota before failing RATE_LIMITED. */
  budgetMaxWaitMs: number;
  /** On SIGTERM: how long /readiness fails before the listener closes, and the cap on waiting for in-flight requests. */
  shutdownGraceMs: number;
  shutdownTimeoutMs: number;
}

/**
 * Secrets the vendors sign webhooks with. Unset in demo mode: `serve` fills in the sandbox's
 * well-known secrets (src/demo.ts), so `npm start` receives the embedded sandbox's webhooks.
 * Unset in production: that vendor's receiver answers 401 to everything (nothing unsigned is
 * ever applied). Each system's secret is under the field its facts name (`hubspotClientSecret`).
 */
export type WebhookSecrets = { [F in CatalogEntry as F['webhook']['secretField']]?: string };

export interface WebhookConfig extends WebhookSecrets {
  /** Public base URL the vendors call (HubSpot signs the full URL), e.g. https://gw.example.com; default: the URL as received. */
  publicUrl?: string;
  /** How long a delivered event id is remembered for deduplication. */
  dedupeTtlSeconds: number;
  /** Where the catch-up cursor is kept without Redis. */
  dataDir: string;
}

/** Thrown by `loadConfig` with every problem found, one per line. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type EnvLike = Readonly<Record<string, string | undefined>>;
