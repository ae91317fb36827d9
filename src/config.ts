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
import type { SystemName } from './errors.ts';

export type Mode = 'demo' | 'production';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const VENDOR_BASE_URLS: Readonly<Record<SystemName, string>> = {
  crm: 'https://api.hubapi.com',
  billing: 'https://api.stripe.com',
  chat: 'https://slack.com/api',
};

/**
 * Cross-request cache TTLs in seconds, by resource name. A resource missing here uses
 * `default`. Override any with CACHE_TTL_<RESOURCE> (CACHE_TTL_CONTACT=30;
 * CACHE_TTL_CUSTOMER_BY_CONTACT sets `customerByContact`); 0 turns caching off for it.
 * Owners, users and channels change rarely and are read on almost every request, hence
 * longer; messages change constantly.
 */
export const DEFAULT_CACHE_TTL_SECONDS: Readonly<Record<string, number>> = {
  default: 60,
  contact: 60,
  company: 60,
  deal: 60,
  owner: 300,
  customer: 60,
  invoice: 60,
  subscription: 60,
  charge: 60,
  user: 300,
  channel: 300,
  message: 15,
  // Directories and indexes over rarely-changing records: as long as the records themselves.
  ownerDirectory: 300,
  userByEmail: 300,
  // A cached list page holds only ids (records are cached on their own); pages go stale
  // as records are added, so they live shorter than the records.
  contactPage: 30,
  companyPage: 30,
  dealPage: 30,
  // The generation that keys list pages; a write replaces it to retire every cached page.
  listGeneration: 3600,
};

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
  cache: { redisUrl?: string; maxEntries: number; ttlSeconds: Record<string, number> };
  sandbox: { seed: number; contacts: number; latencyMs: number };
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

interface FieldSpec<T> {
  schema: z.ZodType<T>;
  hint: string;
  /** Never echo the value (credentials, and URLs that may embed a password). */
  secret?: boolean;
}

const FIELDS = {
  PORT: { schema: whole(0, 65_535), hint: 'set a port number between 0 and 65535' },
  HOST: { schema: z.string().regex(/^\S+$/, { error: 'contains whitespace' }), hint: 'set a hostname or IP address, e.g. 127.0.0.1 or 0.0.0.0' },
  SWITCHBOARD_MODE: { schema: z.enum(['demo', 'production'], { error: 'must be demo or production' }), hint: 'use demo (sandbox allowed) or production' },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }), hint: 'pick one of the pino levels' },
  HUBSPOT_BASE_URL: { schema: httpUrl, hint: `use the vendor's URL (${VENDOR_BASE_URLS.crm}) or a sandbox URL like http://127.0.0.1:4010`, secret: true },
  HUBSPOT_TOKEN: { schema: credential, hint: "paste only the private-app token, without 'Bearer ' or a trailing newline", secret: true },
  STRIPE_BASE_URL: { schema: httpUrl, hint: `use the vendor's URL (${VENDOR_BASE_URLS.billing}) or a sandbox URL`, secret: true },
  STRIPE_API_KEY: { schema: credential, hint: 'paste only the secret or restricted key (sk_… / rk_…)', secret: true },
  SLACK_BASE_URL: { schema: httpUrl, hint: `use the vendor's URL (${VENDOR_BASE_URLS.chat}) or a sandbox URL`, secret: true },
  SLACK_BOT_TOKEN: { schema: credential, hint: 'paste only the bot token (xoxb-…)', secret: true },
  UPSTREAM_TIMEOUT_MS: { schema: whole(1, 600_000), hint: 'set the per-attempt upstream timeout in milliseconds, e.g. 10000' },
  UPSTREAM_RETRIES: { schema: whole(0, 10), hint: 'set how many times a failed idempotent upstream call is retried, e.g. 2' },
  REDIS_URL: { schema: redisUrl, hint: 'e.g. redis://127.0.0.1:6379, or unset it for the in-memory cache', secret: true },
  CACHE_MAX_ENTRIES: { schema: whole(1, 100_000_000), hint: 'set the in-memory cache bound, e.g. 50000' },
  SANDBOX_SEED: { schema: whole(-2_147_483_648, 2_147_483_647), hint: 'set any whole number; the same seed gives the same sandbox data' },
  SANDBOX_CONTACTS: { schema: whole(0, 1_000_000), hint: 'set how many CRM contacts the sandbox generates, e.g. 1000' },
  SANDBOX_LATENCY_MS: { schema: whole(0, 60_000), hint: 'set the latency the sandbox adds per call in milliseconds, e.g. 0' },
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
      const reason = error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(error as { code?: string }).code ?? 'error'})`;
      this.problem('SWITCHBOARD_CONFIG', `the file ${path} ${reason}`, 'point it at a readable JSON file, or unset it');
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      this.problem('SWITCHBOARD_CONFIG', `the file ${path} is not a JSON object`, 'write an object whose keys are variable names, e.g. { "PORT": 4000 }');
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
    const seconds = reader.parse(name, raw, { schema, hint: `set the TTL in seconds (0 disables caching for it, at most ${MAX_TTL_SECONDS})` });
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
    cache: {
      redisUrl: reader.get('REDIS_URL'),
      maxEntries: reader.get('CACHE_MAX_ENTRIES') ?? 50_000,
      ttlSeconds: readTtls(reader),
    },
    sandbox: {
      seed: reader.get('SANDBOX_SEED') ?? 42,
      contacts: reader.get('SANDBOX_CONTACTS') ?? 1000,
      latencyMs: reader.get('SANDBOX_LATENCY_MS') ?? 0,
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
  };
}
