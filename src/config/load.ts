/** loadConfig: every setting read, checked and defaulted into one Config. */
import type { SystemName } from '../errors.ts';
import { CATALOG, SYSTEM_NAMES, type SystemFacts } from '../systems/catalog.ts';
import { DEFAULT_ALERTS, DEFAULT_CACHE_TTL_SECONDS } from './defaults.ts';
import type { FieldName } from './fields.ts';
import { readAuth, readSystem, readTtls, withDirectoryRefresh } from './read-areas.ts';
import { Reader } from './reader.ts';
import { systemConfig, type SystemSettings } from './systems.ts';
import {
  ConfigError,
  type AlertsConfig,
  type BudgetSetting,
  type Config,
  type EnvLike,
  type LimitsConfig,
  type Mode,
  type ResilienceConfig,
  type SystemConfigs,
  type WebhookSecrets,
} from './types.ts';

/**
 * Builds the configuration from an env-like record (default: `process.env`). Tests pass a
 * plain object; nothing here reads `process.env` otherwise.
 * @throws ConfigError listing every problem found.
 */
export function loadConfig(env: EnvLike = process.env): Config {
  const reader = new Reader(env);
  const mode = reader.get('SWITCHBOARD_MODE') ?? (reader.raw('SWITCHBOARD_MODE') ? undefined : 'demo');
  const systems = Object.fromEntries(SYSTEM_NAMES.map((system) => [system, readSystem(reader, system, mode)])) as Record<
    SystemName,
    SystemSettings
  >;
  const plans = readPlans(reader);

  const config: Config = {
    port: reader.get('PORT') ?? 4000,
    host: reader.get('HOST') ?? '127.0.0.1',
    mode: mode ?? 'demo',
    logLevel: reader.get('LOG_LEVEL') ?? 'info',
    ...(Object.fromEntries(SYSTEM_NAMES.map((system) => [system, systemConfig(system, systems[system])])) as SystemConfigs),
    sandboxSystems: SYSTEM_NAMES.filter((system) => systems[system].credential === undefined),
    upstream: {
      timeoutMs: reader.get('UPSTREAM_TIMEOUT_MS') ?? 10_000,
      retries: reader.get('UPSTREAM_RETRIES') ?? 2,
    },
    resilience: { ...readResilience(reader), plans },
    cache: {
      redisUrl: reader.get('REDIS_URL'),
      maxEntries: reader.get('CACHE_MAX_ENTRIES') ?? 50_000,
      maxBytes: (reader.get('CACHE_MAX_MB') ?? 64) * 2 ** 20,
      // Off by default with Redis: replicas learn of each other's writes a moment late (see use-response-cache.ts).
      responses: {
        enabled: reader.get('RESPONSE_CACHE') ?? reader.raw('REDIS_URL') === undefined,
        maxBytes: (reader.get('RESPONSE_CACHE_MAX_MB') ?? 8) * 2 ** 20,
      },
      ttlSeconds: withDirectoryRefresh(readTtls(reader, planTtls(plans)), reader.get('SLACK_DIRECTORY_REFRESH_SECONDS')),
    },
    webhooks: {
      ...readWebhookSecrets(reader),
      publicUrl: reader.get('WEBHOOK_PUBLIC_URL'),
      // Stripe retries for up to 3 days; an id must be remembered at least that long.
      dedupeTtlSeconds: reader.get('WEBHOOK_DEDUPE_TTL_SECONDS') ?? 3 * 24 * 3600,
      dataDir: reader.get('SWITCHBOARD_DATA_DIR') ?? '.data',
    },
    sandbox: {
      seed: reader.get('SANDBOX_SEED') ?? 42,
      contacts: reader.get('SANDBOX_CONTACTS') ?? 1000,
      latencyMs: reader.get('SANDBOX_LATENCY_MS') ?? 0,
    },
    auth: readAuth(reader, mode),
    store: {
      databaseUrl: reader.get('DATABASE_URL'),
      schema: reader.get('DATABASE_SCHEMA') ?? 'switchboard',
      leaseMs: reader.get('WRITE_LEASE_MS') ?? 60_000,
      waitMs: reader.get('WRITE_WAIT_MS') ?? 15_000,
    },
    limits: readLimits(reader, mode),
    mcp: { allowArbitrary: reader.get('MCP_ALLOW_ARBITRARY') ?? false },
    tracing: { otlpEndpoint: reader.get('OTEL_EXPORTER_OTLP_ENDPOINT'), serviceName: reader.get('OTEL_SERVICE_NAME') ?? 'switchboard' },
    alerts: readAlerts(reader),
  };
  // A running write renews its lease only between steps, and a step can take up to the request deadline:
  // a shorter lease would let another replica take over a write that is still running, and both would write.
  if (config.store.leaseMs <= config.resilience.requestDeadlineMs)
    reader.problem(
      'WRITE_LEASE_MS',
      `must be longer than REQUEST_DEADLINE_MS (${config.resilience.requestDeadlineMs}), or a replica could take over a write still running`,
      `set it above ${config.resilience.requestDeadlineMs}, e.g. ${Math.max(60_000, config.resilience.requestDeadlineMs * 2)}`,
    );
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}

/** Each system's vendor plan (HUBSPOT_PLAN …), its default when unset; systems without plans have none. */
function readPlans(reader: Reader): Partial<Record<SystemName, string>> {
  const plans: Partial<Record<SystemName, string>> = {};
  for (const facts of CATALOG) {
    const plan = (facts as SystemFacts).env.plan;
    if (plan) plans[facts.name] = (reader.get(plan.name as FieldName) as string | undefined) ?? plan.default;
  }
  return plans;
}

/** The default TTLs with what the configured plans change of them (a stricter quota keeps pages longer). */
function planTtls(plans: Partial<Record<SystemName, string>>): Record<string, number> {
  const ttls: Record<string, number> = { ...DEFAULT_CACHE_TTL_SECONDS };
  for (const facts of CATALOG) {
    const plan = plans[facts.name];
    if (plan !== undefined) Object.assign(ttls, (facts as SystemFacts).env.plan?.ttlSeconds?.[plan]);
  }
  return ttls;
}

function readResilience(reader: Reader): Omit<ResilienceConfig, 'plans'> {
  return {
    requestDeadlineMs: reader.get('REQUEST_DEADLINE_MS') ?? 15_000,
    bulkhead: reader.get('UPSTREAM_BULKHEAD') ?? 32,
    bulkheadQueue: reader.get('UPSTREAM_BULKHEAD_QUEUE') ?? 256,
    maxConcurrentOperations: reader.get('MAX_CONCURRENT_OPERATIONS') ?? 32,
    maxQueuedOperations: reader.get('MAX_QUEUED_OPERATIONS') ?? 1000,
    breakerThreshold: reader.get('UPSTREAM_BREAKER_THRESHOLD') ?? 5,
    breakerHalfOpenMs: reader.get('UPSTREAM_BREAKER_HALF_OPEN_MS') ?? 5_000,
    budgets: Object.fromEntries(CATALOG.map((facts) => [facts.name, reader.get(facts.env.budget)])) as Record<
      SystemName,
      BudgetSetting | undefined
    >,
    budgetMaxWaitMs: reader.get('UPSTREAM_BUDGET_MAX_WAIT_MS') ?? 250,
    shutdownGraceMs: reader.get('SHUTDOWN_GRACE_MS') ?? 5_000,
    shutdownTimeoutMs: reader.get('SHUTDOWN_TIMEOUT_MS') ?? 30_000,
  };
}

function readAlerts(reader: Reader): AlertsConfig {
  const defaults = DEFAULT_ALERTS;
  return {
    quotaLeftPercent: reader.get('ALERT_QUOTA_LEFT_PERCENT') ?? defaults.quotaLeftPercent,
    quotaForSeconds: reader.get('ALERT_QUOTA_FOR_SECONDS') ?? defaults.quotaForSeconds,
    breakerOpenSeconds: reader.get('ALERT_BREAKER_OPEN_SECONDS') ?? defaults.breakerOpenSeconds,
    webhookLagSeconds: reader.get('ALERT_WEBHOOK_LAG_SECONDS') ?? defaults.webhookLagSeconds,
    onOutcomeUnknown: reader.get('ALERT_ON_OUTCOME_UNKNOWN') ?? defaults.onOutcomeUnknown,
  };
}

function readWebhookSecrets(reader: Reader): WebhookSecrets {
  return Object.fromEntries(
    CATALOG.map((facts) => [facts.webhook.secretField, reader.get(facts.env.webhookSecret.name)]),
  ) as WebhookSecrets;
}

function readLimits(reader: Reader, mode: Mode | undefined): LimitsConfig {
  return {
    maxDepth: reader.get('LIMIT_MAX_DEPTH') ?? 10,
    maxAliases: reader.get('LIMIT_MAX_ALIASES') ?? 15,
    maxTokens: reader.get('LIMIT_MAX_TOKENS') ?? 2000,
    maxDirectives: reader.get('LIMIT_MAX_DIRECTIVES') ?? 20,
    maxCost: reader.get('LIMIT_MAX_COST') ?? 20_000,
    maxBodyBytes: reader.get('LIMIT_MAX_BODY_BYTES') ?? 102_400,
    rateLimitPerMinute: reader.get('RATE_LIMIT_PER_MINUTE') ?? 600,
    trustedDocuments: reader.get('TRUSTED_DOCUMENTS') ?? false,
    allowIntrospection: reader.get('ALLOW_INTROSPECTION') ?? mode !== 'production',
    allowGraphiql: reader.get('ALLOW_GRAPHIQL') ?? mode !== 'production',
  };
}
