/**
 * Switchboard's configuration: read from environment variables and, optionally, from a
 * JSON file named by SWITCHBOARD_CONFIG whose keys are the same variable names
 * (`{ "PORT": 4000, "HUBSPOT_TOKEN": "…" }`). The environment wins over the file, so one
 * file can serve several replicas that differ by a variable or two.
 *
 * Every problem is collected before anything is thrown, so an operator fixes them all in
 * one go; each reads "VAR_NAME: what is wrong — how to fix it". Values of secrets
 * (tokens, keys, URLs, which may carry passwords) never appear in those messages.
 *
 * Per system, after loading: both `baseUrl` and the credential are set (a credential
 * alone means the vendor's real URL), or neither is, and the system is in
 * `sandboxSystems`, to be served by the embedded sandbox.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ApiKeyEntry } from './auth/api-keys.ts';
import { DEV_KEY_SHAPE } from './auth/dev-key.ts';
import { apiKeyList } from './auth/key-list.ts';
import type { SystemName } from './errors.ts';
import { DEFAULT_DIRECTORY_REFRESH_SECONDS, SYSTEM_TTL_SECONDS } from './systems/ttls.ts';

export type Mode = 'demo' | 'production';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const VENDOR_BASE_URLS: Readonly<Record<SystemName, string>> = {
  crm: 'https://api.hubapi.com',
  billing: 'https://api.stripe.com',
  chat: 'https://slack.com/api',
};

/**
 * Cross-request cache TTLs in seconds, by resource name: each system's defaults (its module's
 * `ttlSeconds`). A resource missing here uses `default`. Override any with CACHE_TTL_<RESOURCE>
 * (CACHE_TTL_CONTACT=30; CACHE_TTL_CUSTOMER_BY_CONTACT sets `customerByContact`); 0 turns caching off for it.
 */
export const DEFAULT_CACHE_TTL_SECONDS: Readonly<Record<string, number>> = { default: 60, ...SYSTEM_TTL_SECONDS };

export interface Config {
  port: number;
  host: string;
  mode: Mode;
  logLevel: LogLevel;
  crm: { baseUrl?: string; token?: string };
  billing: { baseUrl?: string; apiKey?: string };
  chat: { baseUrl?: string; botToken?: string };
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
  /** Longest wait for quota before failing RATE_LIMITED. */
  budgetMaxWaitMs: number;
  /** On SIGTERM: how long /readiness fails before the listener closes, and the cap on waiting for in-flight requests. */
  shutdownGraceMs: number;
  shutdownTimeoutMs: number;
}

/**
 * Secrets the vendors sign webhooks with. Unset in demo mode: the sandbox's well-known
 * secrets, so `npm start` receives the embedded sandbox's webhooks. Unset in production: that
 * vendor's receiver answers 401 to everything (nothing unsigned is ever applied).
 */
export interface WebhookConfig {
  hubspotClientSecret?: string;
  stripeWebhookSecret?: string;
  slackSigningSecret?: string;
  /** Public base URL the vendors call (HubSpot signs the full URL), e.g. https://gw.example.com; default: the URL as received. */
  publicUrl?: string;
  /** How long a delivered event id is remembered for deduplication. */
  dedupeTtlSeconds: number;
  /** Where the catch-up cursor is kept without Redis. */
  dataDir: string;
}

/** Sandbox webhook secrets (see src/sandbox/credentials.ts); demo mode only. */
export const SANDBOX_WEBHOOK_SECRETS = {
  hubspotClientSecret: 'sandbox-hubspot-client-secret',
  stripeWebhookSecret: 'whsec_sandbox',
  slackSigningSecret: 'sandbox-slack-signing-secret',
} as const;

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

const TTL_PREFIX = 'CACHE_TTL_';
const MAX_TTL_SECONDS = 7 * 24 * 3600;

const whole = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, { error: 'is not a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), { error: 'is not an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

const redisUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^rediss?:$/.test(new URL(value).protocol), { error: 'is not a redis:// or rediss:// URL' });

const credential = z.string().regex(/^\S+$/, { error: 'contains whitespace' });

const DURATION_MS = { ms: 1, s: 1000, m: 60_000 } as const;
const budget = z.union([
  z.literal('off'),
  z
    .string()
    .regex(/^[1-9]\d{0,6}\/[1-9]\d{0,6}(ms|s|m)$/, { error: 'is not <calls>/<window> like 100/10s, or off' })
    .transform((value): BudgetSetting => {
      const [, calls = '0', amount = '0', unit = 's'] = /^(\d+)\/(\d+)(ms|s|m)$/.exec(value) ?? [];
      return { limit: Number(calls), windowMs: Number(amount) * DURATION_MS[unit as keyof typeof DURATION_MS] };
    }),
]);
const budgetHint = 'write calls per window, e.g. 100/10s, 25/1s or 50/1m, or off';

const flag = z
  .enum(['0', '1', 'true', 'false'], { error: 'must be 1, 0, true or false' })
  .transform((value) => value === '1' || value === 'true');

interface FieldSpec<T> {
  schema: z.ZodType<T>;
  hint: string;
  /** Never echo the value (credentials, and URLs that may embed a password). */
  secret?: boolean;
}

const FIELDS = {
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
  HUBSPOT_BASE_URL: {
    schema: httpUrl,
    hint: `use the vendor's URL (${VENDOR_BASE_URLS.crm}) or a sandbox URL like http://127.0.0.1:4010`,
    secret: true,
  },
  HUBSPOT_TOKEN: { schema: credential, hint: "paste only the private-app token, without 'Bearer ' or a trailing newline", secret: true },
  STRIPE_BASE_URL: { schema: httpUrl, hint: `use the vendor's URL (${VENDOR_BASE_URLS.billing}) or a sandbox URL`, secret: true },
  STRIPE_API_KEY: { schema: credential, hint: 'paste only the secret or restricted key (sk_… / rk_…)', secret: true },
  SLACK_BASE_URL: { schema: httpUrl, hint: `use the vendor's URL (${VENDOR_BASE_URLS.chat}) or a sandbox URL`, secret: true },
  SLACK_BOT_TOKEN: { schema: credential, hint: 'paste only the bot token (xoxb-…)', secret: true },
  UPSTREAM_TIMEOUT_MS: { schema: whole(1, 600_000), hint: 'set the per-attempt upstream timeout in milliseconds, e.g. 10000' },
  UPSTREAM_RETRIES: { schema: whole(0, 10), hint: 'set how many times a failed idempotent upstream call is retried, e.g. 2' },
  REQUEST_DEADLINE_MS: { schema: whole(1, 600_000), hint: 'set how long one GraphQL request may take in milliseconds, e.g. 15000' },
  UPSTREAM_BULKHEAD: { schema: whole(1, 10_000), hint: 'set the concurrent upstream calls per system, e.g. 32' },
  UPSTREAM_BULKHEAD_QUEUE: { schema: whole(0, 100_000), hint: 'set how many upstream calls per system may wait for a slot, e.g. 256' },
  MAX_CONCURRENT_OPERATIONS: { schema: whole(1, 10_000), hint: 'set how many queries and mutations may execute at once, e.g. 32' },
  MAX_QUEUED_OPERATIONS: { schema: whole(0, 100_000), hint: 'set how many operations may wait for an execution slot, e.g. 1000' },
  UPSTREAM_BREAKER_THRESHOLD: { schema: whole(1, 1000), hint: 'set how many consecutive failures open a breaker, e.g. 5' },
  UPSTREAM_BREAKER_HALF_OPEN_MS: { schema: whole(1, 3_600_000), hint: 'set how long an open breaker waits before a trial call, e.g. 5000' },
  UPSTREAM_BUDGET_CRM: { schema: budget, hint: budgetHint },
  UPSTREAM_BUDGET_BILLING: { schema: budget, hint: budgetHint },
  UPSTREAM_BUDGET_CHAT: { schema: budget, hint: budgetHint },
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
  HUBSPOT_CLIENT_SECRET: {
    schema: credential,
    hint: "paste the HubSpot app's client secret (it signs X-HubSpot-Signature-v3)",
    secret: true,
  },
  STRIPE_WEBHOOK_SECRET: { schema: credential, hint: "paste the endpoint's signing secret (whsec_…)", secret: true },
  SLACK_SIGNING_SECRET: {
    schema: credential,
    hint: "paste the Slack app's signing secret (Basic Information → App Credentials)",
    secret: true,
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
} satisfies Record<string, FieldSpec<unknown>>;

type FieldName = keyof typeof FIELDS;
type FieldValue<N extends FieldName> = z.output<(typeof FIELDS)[N]['schema']>;

const SYSTEM_VARS: Record<SystemName, { url: FieldName; credential: FieldName; label: string }> = {
  crm: { url: 'HUBSPOT_BASE_URL', credential: 'HUBSPOT_TOKEN', label: 'CRM' },
  billing: { url: 'STRIPE_BASE_URL', credential: 'STRIPE_API_KEY', label: 'billing' },
  chat: { url: 'SLACK_BASE_URL', credential: 'SLACK_BOT_TOKEN', label: 'chat' },
};

interface RawValue {
  value: string;
  /** '' for the environment, ' (in <file>)' for the config file, to suffix the variable name. */
  where: string;
}

/** Reads variables from env-then-file and collects every problem instead of stopping at the first. */
class Reader {
  readonly problems: string[] = [];
  private readonly file: { path: string; values: Record<string, string> } | undefined;

  constructor(private readonly env: EnvLike) {
    this.file = this.readFile();
  }

  raw(name: string): RawValue | undefined {
    const fromEnv = this.env[name]?.trim();
    if (fromEnv) return { value: fromEnv, where: '' };
    const fromFile = this.file?.values[name]?.trim();
    if (fromFile) return { value: fromFile, where: ` (in ${this.file!.path})` };
    // An empty variable counts as unset: `PORT=` in a .env file means "use the default".
    return undefined;
  }

  get<N extends FieldName>(name: N): FieldValue<N> | undefined {
    const raw = this.raw(name);
    if (!raw) return undefined;
    const spec: FieldSpec<unknown> = FIELDS[name];
    return this.parse(name, raw, spec) as FieldValue<N> | undefined;
  }

  parse<T>(name: string, raw: RawValue, spec: FieldSpec<T>): T | undefined {
    const result = spec.schema.safeParse(raw.value);
    if (result.success) return result.data;
    const what = result.error.issues[0]?.message ?? 'is invalid';
    const shown = spec.secret ? '' : ` (got ${JSON.stringify(raw.value)})`;
    this.problem(`${name}${raw.where}`, `${what}${shown}`, spec.hint);
    return undefined;
  }

  problem(name: string, what: string, fix: string): void {
    this.problems.push(`${name}: ${what} — ${fix}`);
  }

  /** Names of CACHE_TTL_* variables from both sources. */
  ttlNames(): string[] {
    const names = new Set(Object.keys(this.env).filter((key) => key.startsWith(TTL_PREFIX)));
    for (const key of Object.keys(this.file?.values ?? {})) if (key.startsWith(TTL_PREFIX)) names.add(key);
    return [...names].sort();
  }

  private readFile(): { path: string; values: Record<string, string> } | undefined {
    const path = this.env.SWITCHBOARD_CONFIG?.trim();
    if (!path) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      const reason =
        error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(error as { code?: string }).code ?? 'error'})`;
      this.problem('SWITCHBOARD_CONFIG', `the file ${path} ${reason}`, 'point it at a readable JSON file, or unset it');
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.problem(
        'SWITCHBOARD_CONFIG',
        `the file ${path} is not a JSON object`,
        'write an object whose keys are variable names, e.g. { "PORT": 4000 }',
      );
      return undefined;
    }
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (!Object.hasOwn(FIELDS, key) && !key.startsWith(TTL_PREFIX)) {
        this.problem(`${key} (in ${path})`, 'is not a Switchboard setting', 'remove it or check the spelling against the README');
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        values[key] = String(value);
      } else if (value !== null) {
        this.problem(`${key} (in ${path})`, 'must be a string or a number', 'write the value as you would in the environment');
      }
    }
    return { path, values };
  }
}

/** CACHE_TTL_CUSTOMER_BY_CONTACT → customerByContact */
function resourceFromTtlName(name: string): string {
  const [first = '', ...rest] = name.slice(TTL_PREFIX.length).toLowerCase().split('_');
  return first + rest.map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

/**
 * SLACK_DIRECTORY_REFRESH_SECONDS: how long a process serves its Slack user directory before
 * re-reading it, which is also the TTL of the copy replicas share — kept as
 * `ttlSeconds.userDirectory` (so CACHE_TTL_USER_DIRECTORY says the same; the named variable
 * wins). It is not in DEFAULT_CACHE_TTL_SECONDS on purpose: turning every record TTL off
 * (CACHE_TTL_DEFAULT=0 …) does not turn the directory off.
 */
function withDirectoryRefresh(ttlSeconds: Record<string, number>, refreshSeconds: number | undefined): Record<string, number> {
  return { ...ttlSeconds, userDirectory: refreshSeconds ?? ttlSeconds.userDirectory ?? DEFAULT_DIRECTORY_REFRESH_SECONDS };
}

function readTtls(reader: Reader): Record<string, number> {
  const ttlSeconds: Record<string, number> = { ...DEFAULT_CACHE_TTL_SECONDS };
  const schema = whole(0, MAX_TTL_SECONDS);
  for (const name of reader.ttlNames()) {
    if (!/^CACHE_TTL_[A-Z0-9]+(_[A-Z0-9]+)*$/.test(name)) {
      reader.problem(name, 'is not a valid resource TTL name', 'use CACHE_TTL_<RESOURCE> in upper snake case, e.g. CACHE_TTL_CONTACT');
      continue;
    }
    const raw = reader.raw(name);
    if (!raw) continue;
    const seconds = reader.parse(name, raw, {
      schema,
      hint: `set the TTL in seconds (0 disables caching for it, at most ${MAX_TTL_SECONDS})`,
    });
    if (seconds !== undefined) ttlSeconds[resourceFromTtlName(name)] = seconds;
  }
  return ttlSeconds;
}

interface SystemSettings {
  baseUrl?: string;
  credential?: string;
}

function readSystem(reader: Reader, system: SystemName, mode: Mode | undefined): SystemSettings {
  const vars = SYSTEM_VARS[system];
  const urlSet = reader.raw(vars.url) !== undefined;
  const credentialSet = reader.raw(vars.credential) !== undefined;
  const baseUrl = reader.get(vars.url) as string | undefined;
  const secret = reader.get(vars.credential) as string | undefined;
  if (urlSet && !credentialSet) {
    reader.problem(
      vars.credential,
      `is missing while ${vars.url} is set`,
      `set ${vars.credential} too, or unset ${vars.url} to use the embedded ${vars.label} sandbox`,
    );
  }
  if (!urlSet && !credentialSet && mode === 'production') {
    reader.problem(
      vars.credential,
      `is missing, and production mode does not serve ${vars.label} from the sandbox`,
      `set ${vars.credential} (and ${vars.url} for a non-vendor endpoint), or run with SWITCHBOARD_MODE=demo`,
    );
  }
  if (!credentialSet) return {};
  return { baseUrl: urlSet ? baseUrl : VENDOR_BASE_URLS[system], credential: secret };
}

function readAuth(reader: Reader, mode: Mode | undefined): AuthConfig {
  const apiKeys = reader.get('SWITCHBOARD_API_KEYS') ?? [];
  const jwksUrl = reader.get('JWT_JWKS_URL');
  const publicKey = reader.get('JWT_PUBLIC_KEY');
  const issuer = reader.get('JWT_ISSUER');
  const audience = reader.get('JWT_AUDIENCE');
  const jwtSet = reader.raw('JWT_JWKS_URL') !== undefined || reader.raw('JWT_PUBLIC_KEY') !== undefined;
  if (reader.raw('JWT_JWKS_URL') && reader.raw('JWT_PUBLIC_KEY')) {
    reader.problem('JWT_PUBLIC_KEY', 'is set together with JWT_JWKS_URL', 'set only one way to find the signing key');
  }
  // A production verifier that accepts any issuer or audience would accept tokens minted for other apps.
  if (jwtSet && mode === 'production') {
    if (!reader.raw('JWT_ISSUER'))
      reader.problem('JWT_ISSUER', 'is missing while JWT verification is on in production', 'set the issuer tokens must come from');
    if (!reader.raw('JWT_AUDIENCE'))
      reader.problem('JWT_AUDIENCE', 'is missing while JWT verification is on in production', "set this gateway's audience");
  }
  const devApiKey = reader.get('SWITCHBOARD_DEV_KEY');
  if (devApiKey && mode === 'production') {
    reader.problem('SWITCHBOARD_DEV_KEY', 'is set in production mode', 'unset it: production clients use keys from SWITCHBOARD_API_KEYS');
  }
  if (!jwtSet) return { apiKeys, devApiKey };
  return {
    apiKeys,
    devApiKey,
    jwt: {
      jwksUrl,
      publicKey,
      algorithm: reader.get('JWT_ALGORITHM') ?? 'RS256',
      issuer,
      audience,
      scopesClaim: reader.get('JWT_SCOPES_CLAIM') ?? 'scope',
      clockSkewSeconds: reader.get('JWT_CLOCK_SKEW_SECONDS') ?? 30,
    },
  };
}

/**
 * Builds the configuration from an env-like record (default: `process.env`). Tests pass a
 * plain object; nothing here reads `process.env` otherwise.
 * @throws ConfigError listing every problem found.
 */
export function loadConfig(env: EnvLike = process.env): Config {
  const reader = new Reader(env);
  const mode = reader.get('SWITCHBOARD_MODE') ?? (reader.raw('SWITCHBOARD_MODE') ? undefined : 'demo');
  const crm = readSystem(reader, 'crm', mode);
  const billing = readSystem(reader, 'billing', mode);
  const chat = readSystem(reader, 'chat', mode);
  const systems: Record<SystemName, SystemSettings> = { crm, billing, chat };

  const config: Config = {
    port: reader.get('PORT') ?? 4000,
    host: reader.get('HOST') ?? '127.0.0.1',
    mode: mode ?? 'demo',
    logLevel: reader.get('LOG_LEVEL') ?? 'info',
    crm: { baseUrl: crm.baseUrl, token: crm.credential },
    billing: { baseUrl: billing.baseUrl, apiKey: billing.credential },
    chat: { baseUrl: chat.baseUrl, botToken: chat.credential },
    sandboxSystems: (Object.keys(systems) as SystemName[]).filter((system) => systems[system].credential === undefined),
    upstream: {
      timeoutMs: reader.get('UPSTREAM_TIMEOUT_MS') ?? 10_000,
      retries: reader.get('UPSTREAM_RETRIES') ?? 2,
    },
    resilience: {
      requestDeadlineMs: reader.get('REQUEST_DEADLINE_MS') ?? 15_000,
      bulkhead: reader.get('UPSTREAM_BULKHEAD') ?? 32,
      bulkheadQueue: reader.get('UPSTREAM_BULKHEAD_QUEUE') ?? 256,
      maxConcurrentOperations: reader.get('MAX_CONCURRENT_OPERATIONS') ?? 32,
      maxQueuedOperations: reader.get('MAX_QUEUED_OPERATIONS') ?? 1000,
      breakerThreshold: reader.get('UPSTREAM_BREAKER_THRESHOLD') ?? 5,
      breakerHalfOpenMs: reader.get('UPSTREAM_BREAKER_HALF_OPEN_MS') ?? 5_000,
      budgets: {
        crm: reader.get('UPSTREAM_BUDGET_CRM'),
        billing: reader.get('UPSTREAM_BUDGET_BILLING'),
        chat: reader.get('UPSTREAM_BUDGET_CHAT'),
      },
      budgetMaxWaitMs: reader.get('UPSTREAM_BUDGET_MAX_WAIT_MS') ?? 250,
      shutdownGraceMs: reader.get('SHUTDOWN_GRACE_MS') ?? 5_000,
      shutdownTimeoutMs: reader.get('SHUTDOWN_TIMEOUT_MS') ?? 30_000,
    },
    cache: {
      redisUrl: reader.get('REDIS_URL'),
      maxEntries: reader.get('CACHE_MAX_ENTRIES') ?? 50_000,
      maxBytes: (reader.get('CACHE_MAX_MB') ?? 64) * 2 ** 20,
      // Off by default with Redis: replicas learn of each other's writes a moment late (see use-response-cache.ts).
      responses: {
        enabled: reader.get('RESPONSE_CACHE') ?? reader.raw('REDIS_URL') === undefined,
        maxBytes: (reader.get('RESPONSE_CACHE_MAX_MB') ?? 8) * 2 ** 20,
      },
      ttlSeconds: withDirectoryRefresh(readTtls(reader), reader.get('SLACK_DIRECTORY_REFRESH_SECONDS')),
    },
    webhooks: {
      hubspotClientSecret:
        reader.get('HUBSPOT_CLIENT_SECRET') ?? (mode === 'demo' ? SANDBOX_WEBHOOK_SECRETS.hubspotClientSecret : undefined),
      stripeWebhookSecret:
        reader.get('STRIPE_WEBHOOK_SECRET') ?? (mode === 'demo' ? SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret : undefined),
      slackSigningSecret: reader.get('SLACK_SIGNING_SECRET') ?? (mode === 'demo' ? SANDBOX_WEBHOOK_SECRETS.slackSigningSecret : undefined),
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
    limits: {
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
    },
  };
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}

/** The configuration with secrets replaced, for a startup log line. */
export function redactConfig(config: Config): Record<string, unknown> {
  const mask = (value: string | undefined) => (value === undefined ? undefined : '[redacted]');
  const maskUrl = (value: string | undefined) => {
    if (value === undefined) return undefined;
    const url = new URL(value);
    if (url.username || url.password) {
      url.username = '';
      url.password = '';
    }
    return url.toString().replace(/\/+$/, '');
  };
  return {
    ...config,
    crm: { baseUrl: maskUrl(config.crm.baseUrl), token: mask(config.crm.token) },
    billing: { baseUrl: maskUrl(config.billing.baseUrl), apiKey: mask(config.billing.apiKey) },
    chat: { baseUrl: maskUrl(config.chat.baseUrl), botToken: mask(config.chat.botToken) },
    cache: { ...config.cache, redisUrl: maskUrl(config.cache.redisUrl) },
    store: { ...config.store, databaseUrl: maskUrl(config.store.databaseUrl) },
    webhooks: {
      ...config.webhooks,
      hubspotClientSecret: mask(config.webhooks.hubspotClientSecret),
      stripeWebhookSecret: mask(config.webhooks.stripeWebhookSecret),
      slackSigningSecret: mask(config.webhooks.slackSigningSecret),
    },
  };
}
