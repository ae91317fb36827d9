/** Every setting Switchboard reads: its variable name, its format, the hint shown when it is wrong. */
import { z } from 'zod';
import { CATALOG, type CatalogEntry } from '../systems/catalog.ts';
import { apiKeyList, DEV_KEY_SHAPE } from './api-keys.ts';
import { budget, budgetHint, credential, flag, httpUrl, MAX_TTL_SECONDS, redisUrl, whole, type FieldSpec } from './schemas.ts';
import { LOG_LEVELS } from './types.ts';

const SHARED_FIELDS = {
  PORT: { schema: whole(0, 65_535), hint: 'set a port number between 0 and 65535' },
  HOST: {
    schema: z.string().regex(/^\S+$/, { error: 'contains whitespace' }),
    hint: 'set a hostname or IP address, e.g. 127.0.0.1 or 0.0.0.0',
  },
  SWITCHBOARD_MODE: {
    schema: z.enum(['demo', 'production'], { error: 'must be demo or production' }),
    hint: 'use demo (sandbox allowed) or production',
  },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }), hint: 'pick one of the pino levels' },
  UPSTREAM_TIMEOUT_MS: { schema: whole(1, 600_000), hint: 'set the per-attempt upstream timeout in milliseconds, e.g. 10000' },
  UPSTREAM_RETRIES: { schema: whole(0, 10), hint: 'set how many times a failed idempotent upstream call is retried, e.g. 2' },
  REQUEST_DEADLINE_MS: { schema: whole(1, 600_000), hint: 'set how long one GraphQL request may take in milliseconds, e.g. 15000' },
  UPSTREAM_BULKHEAD: { schema: whole(1, 10_000), hint: 'set the concurrent upstream calls per system, e.g. 32' },
  UPSTREAM_BULKHEAD_QUEUE: { schema: whole(0, 100_000), hint: 'set how many upstream calls per system may wait for a slot, e.g. 256' },
  MAX_CONCURRENT_OPERATIONS: { schema: whole(1, 10_000), hint: 'set how many queries and mutations may execute at once, e.g. 32' },
  MAX_QUEUED_OPERATIONS: { schema: whole(0, 100_000), hint: 'set how many operations may wait for an execution slot, e.g. 1000' },
  UPSTREAM_BREAKER_THRESHOLD: { schema: whole(1, 1000), hint: 'set how many consecutive failures open a breaker, e.g. 5' },
  UPSTREAM_BREAKER_HALF_OPEN_MS: { schema: whole(1, 3_600_000), hint: 'set how long an open breaker waits before a trial call, e.g. 5000' },
  SHUTDOWN_GRACE_MS: { schema: whole(0, 600_000), hint: 'set how long readiness fails before the listener closes on SIGTERM, e.g. 5000' },
  SHUTDOWN_TIMEOUT_MS: { schema: whole(0, 600_000), hint: 'set the longest wait for in-flight requests on SIGTERM, e.g. 30000' },
  UPSTREAM_BUDGET_MAX_WAIT_MS: { schema: whole(0, 60_000), hint: 'set the longest wait for vendor quota in milliseconds, e.g. 250' },
  REDIS_URL: { schema: redisUrl, hint: 'e.g. redis://127.0.0.1:6379, or unset it for the in-memory cache', secret: true },
  CACHE_MAX_ENTRIES: { schema: whole(1, 100_000_000), hint: 'set the in-memory cache bound, e.g. 50000' },
  RESPONSE_CACHE: { schema: flag, hint: 'set 1 to cache whole query results, 0 to turn that off' },
  RESPONSE_CACHE_MAX_MB: { schema: whole(1, 1_000_000), hint: 'set the response cache bound in MiB of JSON, e.g. 8' },
  CACHE_MAX_MB: { schema: whole(1, 1_000_000), hint: 'set the in-memory cache bound in MiB of JSON, e.g. 64' },
  SLACK_DIRECTORY_REFRESH_SECONDS: {
    schema: whole(0, MAX_TTL_SECONDS),
    hint: 'set how long each process serves the Slack user directory before re-reading it, in seconds (0 re-reads it on every request), e.g. 300',
  },
  WEBHOOK_PUBLIC_URL: { schema: httpUrl, hint: 'the public base URL the vendors call, e.g. https://gateway.example.com' },
  WEBHOOK_DEDUPE_TTL_SECONDS: {
    schema: whole(1, 30 * 24 * 3600),
    hint: 'set how long delivered webhook ids are remembered, e.g. 259200 (3 days)',
  },
  SWITCHBOARD_DATA_DIR: { schema: z.string().min(1), hint: 'a writable directory, e.g. .data' },
  DATABASE_URL: {
    schema: z
      .string()
      .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol), { error: 'is not a postgres:// URL' }),
    hint: 'e.g. postgres://user:password@db:5432/switchboard, or unset it for the embedded database',
    secret: true,
  },
  DATABASE_SCHEMA: {
    schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'is not a lower-case SQL identifier' }),
    hint: 'e.g. switchboard',
  },
  WRITE_LEASE_MS: {
    schema: whole(1000, 3_600_000),
    hint: 'set how long a running write holds its idempotency key in milliseconds, e.g. 60000',
  },
  WRITE_WAIT_MS: {
    schema: whole(0, 600_000),
    hint: 'set how long a duplicate request waits for the running write in milliseconds, e.g. 15000',
  },
  SANDBOX_SEED: { schema: whole(-2_147_483_648, 2_147_483_647), hint: 'set any whole number; the same seed gives the same sandbox data' },
  SANDBOX_CONTACTS: { schema: whole(0, 1_000_000), hint: 'set how many CRM contacts the sandbox generates, e.g. 1000' },
  SANDBOX_LATENCY_MS: { schema: whole(0, 60_000), hint: 'set the latency the sandbox adds per call in milliseconds, e.g. 0' },
  SWITCHBOARD_DEV_KEY: {
    schema: z.string().regex(DEV_KEY_SHAPE, { error: 'is not a Switchboard API key (sbk_ and at least 32 letters, digits, - or _)' }),
    hint: 'paste the key an earlier demo start printed, or unset it to use the one kept in SWITCHBOARD_DATA_DIR',
    secret: true,
  },
  SWITCHBOARD_API_KEYS: {
    schema: apiKeyList,
    hint: 'list name:sha256:scope+scope[:rate] entries; `tsx src/main.ts hash-key <name> <scopes>` prints one',
    secret: true,
  },
  JWT_JWKS_URL: { schema: httpUrl, hint: "set the identity provider's JWKS URL, e.g. https://idp.example.com/.well-known/jwks.json" },
  JWT_PUBLIC_KEY: {
    schema: z.string().regex(/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/, { error: 'is not a PEM public key' }),
    hint: 'paste the SPKI PEM (-----BEGIN PUBLIC KEY-----…)',
  },
  JWT_ALGORITHM: {
    schema: z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'], { error: 'is not a supported asymmetric algorithm' }),
    hint: 'use RS256, PS256, ES256, ES384 or EdDSA',
  },
  JWT_ISSUER: { schema: z.string().min(1), hint: "set the token issuer (the 'iss' claim) to accept" },
  JWT_AUDIENCE: { schema: z.string().min(1), hint: "set the audience (the 'aud' claim) tokens must carry" },
  JWT_SCOPES_CLAIM: {
    schema: z.string().regex(/^[\w:./-]+$/, { error: 'is not a claim name' }),
    hint: 'name the claim holding scopes, e.g. scope or scp',
  },
  JWT_CLOCK_SKEW_SECONDS: { schema: whole(0, 600), hint: 'set the tolerated clock skew in seconds, e.g. 30' },
  LIMIT_MAX_DEPTH: { schema: whole(1, 100), hint: 'set the maximum selection depth, e.g. 10' },
  LIMIT_MAX_ALIASES: { schema: whole(0, 1000), hint: 'set the maximum aliases per operation, e.g. 15' },
  LIMIT_MAX_TOKENS: { schema: whole(10, 100_000), hint: 'set the maximum tokens per document, e.g. 2000' },
  LIMIT_MAX_DIRECTIVES: { schema: whole(0, 1000), hint: 'set the maximum directives per operation, e.g. 20' },
  LIMIT_MAX_COST: { schema: whole(1, 10_000_000), hint: 'set the maximum estimated cost per operation, e.g. 5000' },
  LIMIT_MAX_BODY_BYTES: { schema: whole(256, 100_000_000), hint: 'set the maximum request body in bytes, e.g. 102400' },
  RATE_LIMIT_PER_MINUTE: { schema: whole(0, 1_000_000), hint: 'set requests per minute per principal (0 turns it off), e.g. 600' },
  TRUSTED_DOCUMENTS: { schema: flag, hint: 'set 1 to run only operations registered in the generated manifest' },
  ALLOW_INTROSPECTION: { schema: flag, hint: 'set 1 to allow introspection in production mode' },
  ALLOW_GRAPHIQL: { schema: flag, hint: 'set 1 to serve GraphiQL in production mode' },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: httpUrl,
    hint: 'the OTLP/HTTP collector base URL (traces go to <url>/v1/traces), e.g. http://127.0.0.1:4318, or unset it to trace nothing',
  },
  OTEL_SERVICE_NAME: { schema: z.string().min(1), hint: 'name this gateway in traces, e.g. switchboard' },
  ALERT_QUOTA_LEFT_PERCENT: {
    schema: whole(0, 100),
    hint: 'set the share of a quota budget bucket left below which the quota_low alert is raised, in percent (0 turns it off), e.g. 10',
  },
  ALERT_QUOTA_FOR_SECONDS: {
    schema: whole(0, 86_400),
    hint: 'set how long the budget must stay below ALERT_QUOTA_LEFT_PERCENT before quota_low is raised, in seconds, e.g. 60',
  },
  ALERT_BREAKER_OPEN_SECONDS: {
    schema: whole(0, 86_400),
    hint: 'set how long a breaker may stay open before breaker_open is raised, in seconds, e.g. 60',
  },
  ALERT_WEBHOOK_LAG_SECONDS: {
    schema: whole(1, 7 * 86_400),
    hint: "set how far behind the vendor's event time a webhook may arrive before webhook_lag is raised, in seconds, e.g. 300",
  },
  ALERT_ON_OUTCOME_UNKNOWN: {
    schema: flag,
    hint: 'set 1 to raise outcome_unknown when a cross-system write ends OUTCOME_UNKNOWN, 0 not to',
  },
  MCP_ALLOW_ARBITRARY: {
    schema: flag,
    hint: 'set 1 to offer MCP clients the graphql_query tool (any read-only query), 0 for trusted documents only',
  },
} satisfies Record<string, FieldSpec<unknown>>;

type EnvOf<K extends 'baseUrl' | 'credential' | 'webhookSecret'> = CatalogEntry['env'][K]['name'];
type PlanEnv = Extract<CatalogEntry['env'], { plan: unknown }>['plan']['name'];
type SystemFields = Record<EnvOf<'baseUrl'>, FieldSpec<string> & { schema: typeof httpUrl }> &
  Record<EnvOf<'credential'> | EnvOf<'webhookSecret'>, FieldSpec<string> & { schema: typeof credential }> &
  Record<CatalogEntry['env']['budget'], FieldSpec<unknown> & { schema: typeof budget }> &
  Record<PlanEnv, FieldSpec<string> & { schema: z.ZodType<string> }>;

/**
 * Each system's settings, named by its facts: base URL, credential, webhook secret (all secret),
 * quota override, and the vendor plan its quotas follow (where the vendor has plans).
 */
function systemFields(): SystemFields {
  const fields: Record<string, FieldSpec<unknown>> = {};
  for (const { env } of CATALOG) {
    fields[env.baseUrl.name] = { schema: httpUrl, hint: env.baseUrl.hint, secret: true };
    fields[env.credential.name] = { schema: credential, hint: env.credential.hint, secret: true };
    fields[env.webhookSecret.name] = { schema: credential, hint: env.webhookSecret.hint, secret: true };
    fields[env.budget] = { schema: budget, hint: budgetHint };
    const plan = 'plan' in env ? env.plan : undefined;
    if (plan) fields[plan.name] = { schema: z.enum(plan.values, { error: `must be one of ${plan.values.join(', ')}` }), hint: plan.hint };
  }
  return fields as SystemFields;
}

export const FIELDS = { ...SHARED_FIELDS, ...systemFields() };

export type FieldName = keyof typeof FIELDS;
export type FieldValue<N extends FieldName> = z.output<(typeof FIELDS)[N]['schema']>;
