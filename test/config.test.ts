/**
 * `loadConfig(env)` and `redactConfig` from src/config.ts: defaults, how credentials and base
 * URLs decide between the vendor and the sandbox, cache TTLs, the SWITCHBOARD_CONFIG file,
 * production rules, and that secrets never reach an error message or a log line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CACHE_TTL_SECONDS, type EnvLike, loadConfig, redactConfig, VENDOR_BASE_URLS } from '../src/config.ts';

const SECRET = 'pat-SECRET-123';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes a config file (an object is JSON-encoded, a string written as is) and returns its path. */
function configFile(contents: unknown): string {
  const path = join(dir, `config-${++fileCount}.json`);
  writeFileSync(path, typeof contents === 'string' ? contents : JSON.stringify(contents));
  return path;
}

/** The ConfigError `loadConfig` throws for `env`; fails the test when it does not throw one. */
function configError(env: EnvLike): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

function problemsOf(env: EnvLike): readonly string[] {
  return configError(env).problems;
}

describe('defaults', () => {
  it('an empty environment gives port 4000, demo mode and the sandbox for all three systems', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.mode).toBe('demo');
    expect(config.logLevel).toBe('info');
    expect(config.sandboxSystems).toEqual(['crm', 'billing', 'chat']);
    expect(config.crm).toEqual({ baseUrl: undefined, token: undefined });
    expect(config.billing).toEqual({ baseUrl: undefined, apiKey: undefined });
    expect(config.chat).toEqual({ baseUrl: undefined, botToken: undefined });
    expect(config.upstream).toEqual({ timeoutMs: 10_000, retries: 2 });
    expect(config.cache).toEqual({
      redisUrl: undefined,
      maxEntries: 50_000,
      maxBytes: 64 * 2 ** 20,
      responses: { enabled: true, maxBytes: 8 * 2 ** 20 },
      ttlSeconds: { ...DEFAULT_CACHE_TTL_SECONDS, userDirectory: 300 },
    });
    expect(config.sandbox).toEqual({ seed: 42, contacts: 1000, latencyMs: 0 });
  });

  it('treats empty and blank variables as unset', () => {
    const config = loadConfig({ PORT: '', LOG_LEVEL: '   ', HUBSPOT_TOKEN: '' });
    expect(config.port).toBe(4000);
    expect(config.logLevel).toBe('info');
    expect(config.sandboxSystems).toContain('crm');
  });

  it('trims surrounding whitespace from values', () => {
    const config = loadConfig({ PORT: ' 5000 ', HUBSPOT_TOKEN: `  ${SECRET}\n` });
    expect(config.port).toBe(5000);
    expect(config.crm.token).toBe(SECRET);
  });

  it('reads every plain setting from the environment', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      UPSTREAM_TIMEOUT_MS: '2500',
      UPSTREAM_RETRIES: '0',
      REDIS_URL: 'redis://127.0.0.1:6379',
      CACHE_MAX_ENTRIES: '10',
      SANDBOX_SEED: '-7',
      SANDBOX_CONTACTS: '25',
      SANDBOX_LATENCY_MS: '30',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'debug',
      upstream: { timeoutMs: 2500, retries: 0 },
      cache: { redisUrl: 'redis://127.0.0.1:6379', maxEntries: 10 },
      sandbox: { seed: -7, contacts: 25, latencyMs: 30 },
    });
  });
});

describe('systems: vendor, custom endpoint or sandbox', () => {
  it("a credential alone means the vendor's real URL and takes the system out of the sandbox", () => {
    const config = loadConfig({ HUBSPOT_TOKEN: SECRET, STRIPE_API_KEY: 'sk_test_abc', SLACK_BOT_TOKEN: 'xoxb-abc' });
    expect(config.crm).toEqual({ baseUrl: VENDOR_BASE_URLS.crm, token: SECRET });
    expect(config.crm.baseUrl).toBe('https://api.hubapi.com');
    expect(config.billing).toEqual({ baseUrl: 'https://api.stripe.com', apiKey: 'sk_test_abc' });
    expect(config.chat).toEqual({ baseUrl: 'https://slack.com/api', botToken: 'xoxb-abc' });
    expect(config.sandboxSystems).toEqual([]);
  });

  it('a credential for one system leaves the other two in the sandbox', () => {
    const config = loadConfig({ STRIPE_API_KEY: 'sk_test_abc' });
    expect(config.sandboxSystems).toEqual(['crm', 'chat']);
    expect(config.billing.baseUrl).toBe('https://api.stripe.com');
  });

  it('a base URL with a credential uses that URL, without trailing slashes', () => {
    const config = loadConfig({ HUBSPOT_BASE_URL: 'http://127.0.0.1:4010//', HUBSPOT_TOKEN: SECRET });
    expect(config.crm).toEqual({ baseUrl: 'http://127.0.0.1:4010', token: SECRET });
    expect(config.sandboxSystems).toEqual(['billing', 'chat']);
  });

  it.each([
    ['HUBSPOT_BASE_URL', 'HUBSPOT_TOKEN', 'CRM'],
    ['STRIPE_BASE_URL', 'STRIPE_API_KEY', 'billing'],
    ['SLACK_BASE_URL', 'SLACK_BOT_TOKEN', 'chat'],
  ])('%s without %s is a ConfigError naming the missing variable and how to fix it', (urlVar, credentialVar, label) => {
    const error = configError({ [urlVar]: 'http://127.0.0.1:4010' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toEqual([
      `${credentialVar}: is missing while ${urlVar} is set — set ${credentialVar} too, or unset ${urlVar} to use the embedded ${label} sandbox`,
    ]);
    expect(error.message).toContain(`  - ${credentialVar}: is missing while ${urlVar} is set`);
  });

  it.each(['ftp://files.example.com', 'not a url', 'api.hubapi.com'])('rejects the non-http(s) base URL %j', (value) => {
    const problems = problemsOf({ HUBSPOT_BASE_URL: value, HUBSPOT_TOKEN: SECRET });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^HUBSPOT_BASE_URL: is not an http\(s\) URL — /);
  });

  it("rejects a credential pasted with 'Bearer ' and says how to fix it", () => {
    const problems = problemsOf({ HUBSPOT_TOKEN: `Bearer ${SECRET}` });
    expect(problems).toEqual([
      `HUBSPOT_TOKEN: contains whitespace — paste only the private-app token, without 'Bearer ' or a trailing newline`,
    ]);
  });
});

describe('error reporting', () => {
  it('reports several problems together, one line each', () => {
    const error = configError({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      STRIPE_BASE_URL: 'http://127.0.0.1:4102',
      UPSTREAM_RETRIES: '11',
    });
    expect(error.problems).toHaveLength(4);
    expect(error.problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['PORT', 'LOG_LEVEL', 'STRIPE_API_KEY', 'UPSTREAM_RETRIES']),
    );
    for (const problem of error.problems) expect(error.message).toContain(`  - ${problem}`);
    expect(error.message.split('\n')).toHaveLength(5);
  });

  it('never shows secret values in error messages', () => {
    const error = configError({
      HUBSPOT_TOKEN: `${SECRET} trailing`,
      HUBSPOT_BASE_URL: `ftp://user:${SECRET}@crm.example.com`,
      STRIPE_API_KEY: `Bearer ${SECRET}`,
      SLACK_BOT_TOKEN: `${SECRET}\tx`,
      SLACK_BASE_URL: `https://user:${SECRET}@ not a host`,
      REDIS_URL: `http://:${SECRET}@cache.example.com:6379`,
    });
    expect(error.problems.length).toBeGreaterThanOrEqual(6);
    expect(error.message).not.toContain(SECRET);
    expect(error.problems.join('\n')).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(String(error.stack)).not.toContain(SECRET);
  });

  it('never shows secret values read from the config file either', () => {
    const path = configFile({ HUBSPOT_TOKEN: `Bearer ${SECRET}`, REDIS_URL: `mysql://root:${SECRET}@db` });
    const error = configError({ SWITCHBOARD_CONFIG: path });
    expect(error.problems).toHaveLength(2);
    expect(error.message).not.toContain(SECRET);
  });

  it.each([
    ['PORT', '70000', 'must be at most 65535'],
    ['PORT', '-1', 'must be at least 0'],
    ['PORT', '4.5', 'is not a whole number'],
    ['PORT', '4000abc', 'is not a whole number'],
    ['UPSTREAM_TIMEOUT_MS', '0', 'must be at least 1'],
    ['UPSTREAM_RETRIES', '11', 'must be at most 10'],
    ['CACHE_MAX_ENTRIES', 'lots', 'is not a whole number'],
    ['SANDBOX_CONTACTS', '1e3', 'is not a whole number'],
    ['CACHE_TTL_CONTACT', '-5', 'must be at least 0'],
    ['CACHE_TTL_CONTACT', '604801', 'must be at most 604800'],
  ])('rejects %s=%s, showing the offending value', (name, value, what) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${name}: ${what} (got ${JSON.stringify(value)}) — `);
  });

  it('rejects an unknown mode or log level, showing the value', () => {
    const problems = problemsOf({ SWITCHBOARD_MODE: 'prod', LOG_LEVEL: 'verbose' });
    expect(problems).toEqual([
      expect.stringMatching(/^SWITCHBOARD_MODE: must be demo or production \(got "prod"\) — /),
      expect.stringMatching(/^LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent \(got "verbose"\) — /),
    ]);
  });

  it('refuses a write lease no longer than the request deadline, under which a live write could be taken over', () => {
    expect(problemsOf({ WRITE_LEASE_MS: '15000' })).toEqual([
      expect.stringMatching(/^WRITE_LEASE_MS: must be longer than REQUEST_DEADLINE_MS \(15000\)/),
    ]);
    expect(loadConfig({ WRITE_LEASE_MS: '10000', REQUEST_DEADLINE_MS: '8000' }).store.leaseMs).toBe(10_000);
  });
});

describe('cache TTLs', () => {
  it('SLACK_DIRECTORY_REFRESH_SECONDS sets the user directory refresh interval, which is its shared TTL; CACHE_TTL_DEFAULT does not touch it', () => {
    expect(loadConfig({}).cache.ttlSeconds.userDirectory).toBe(300);
    expect(loadConfig({ SLACK_DIRECTORY_REFRESH_SECONDS: '0', CACHE_TTL_DEFAULT: '0' }).cache.ttlSeconds.userDirectory).toBe(0);
    expect(loadConfig({ CACHE_TTL_DEFAULT: '0' }).cache.ttlSeconds.userDirectory).toBe(300);
    expect(loadConfig({ CACHE_TTL_USER_DIRECTORY: '30' }).cache.ttlSeconds.userDirectory).toBe(30);
    expect(loadConfig({ CACHE_TTL_USER_DIRECTORY: '30', SLACK_DIRECTORY_REFRESH_SECONDS: '60' }).cache.ttlSeconds.userDirectory).toBe(60);
    expect(() => loadConfig({ SLACK_DIRECTORY_REFRESH_SECONDS: '-1' })).toThrow(/SLACK_DIRECTORY_REFRESH_SECONDS/);
  });

  it('CACHE_TTL_CONTACT=30 sets the contact TTL and leaves the others at their defaults', () => {
    const { ttlSeconds } = loadConfig({ CACHE_TTL_CONTACT: '30' }).cache;
    expect(ttlSeconds.contact).toBe(30);
    expect(ttlSeconds).toEqual({ ...DEFAULT_CACHE_TTL_SECONDS, userDirectory: 300, contact: 30 });
  });

  it('CACHE_TTL_CUSTOMER_BY_CONTACT maps to the customerByContact resource', () => {
    const { ttlSeconds } = loadConfig({ CACHE_TTL_CUSTOMER_BY_CONTACT: '120' }).cache;
    expect(ttlSeconds.customerByContact).toBe(120);
    expect(ttlSeconds).not.toHaveProperty('customer_by_contact');
    expect(ttlSeconds.customer).toBe(DEFAULT_CACHE_TTL_SECONDS.customer);
  });

  it('CACHE_TTL_MESSAGE=0 turns caching off for messages and CACHE_TTL_DEFAULT sets the default', () => {
    const { ttlSeconds } = loadConfig({ CACHE_TTL_MESSAGE: '0', CACHE_TTL_DEFAULT: '5' }).cache;
    expect(ttlSeconds.message).toBe(0);
    expect(ttlSeconds.default).toBe(5);
  });

  it('rejects a TTL variable that is not upper snake case', () => {
    const problems = problemsOf({ CACHE_TTL_contact: '30' });
    expect(problems).toEqual([expect.stringMatching(/^CACHE_TTL_contact: is not a valid resource TTL name — use CACHE_TTL_<RESOURCE>/)]);
  });
});

describe('SWITCHBOARD_CONFIG file', () => {
  it('reads settings from the JSON file, numbers included', () => {
    const path = configFile({ PORT: 4555, LOG_LEVEL: 'warn', HUBSPOT_TOKEN: SECRET, CACHE_TTL_CONTACT: 45 });
    const config = loadConfig({ SWITCHBOARD_CONFIG: path });
    expect(config.port).toBe(4555);
    expect(config.logLevel).toBe('warn');
    expect(config.crm).toEqual({ baseUrl: VENDOR_BASE_URLS.crm, token: SECRET });
    expect(config.cache.ttlSeconds.contact).toBe(45);
    expect(config.sandboxSystems).toEqual(['billing', 'chat']);
  });

  it('lets the environment win over the file', () => {
    const path = configFile({ PORT: 4555, LOG_LEVEL: 'warn', CACHE_TTL_CONTACT: 45 });
    const config = loadConfig({ SWITCHBOARD_CONFIG: path, PORT: '4666', CACHE_TTL_CONTACT: '10' });
    expect(config.port).toBe(4666);
    expect(config.cache.ttlSeconds.contact).toBe(10);
    expect(config.logLevel).toBe('warn');
  });

  it('falls back to the file when the environment variable is empty', () => {
    const path = configFile({ PORT: 4555 });
    expect(loadConfig({ SWITCHBOARD_CONFIG: path, PORT: '' }).port).toBe(4555);
  });

  it('rejects unknown keys, naming the key and the file', () => {
    const path = configFile({ PORT: 4000, HUBSPOT_TOKNE: 'x', REDIS: 'redis://h' });
    const problems = problemsOf({ SWITCHBOARD_CONFIG: path });
    expect(problems).toEqual([
      `HUBSPOT_TOKNE (in ${path}): is not a Switchboard setting — remove it or check the spelling against the README`,
      `REDIS (in ${path}): is not a Switchboard setting — remove it or check the spelling against the README`,
    ]);
  });

  it('rejects keys that are Object.prototype names, which are no Switchboard settings', () => {
    const path = configFile({ constructor: 'x', toString: 'y' });
    expect(problemsOf({ SWITCHBOARD_CONFIG: path })).toEqual([
      `constructor (in ${path}): is not a Switchboard setting — remove it or check the spelling against the README`,
      `toString (in ${path}): is not a Switchboard setting — remove it or check the spelling against the README`,
    ]);
  });

  it('names the file when one of its values is invalid', () => {
    const path = configFile({ PORT: 'abc' });
    expect(problemsOf({ SWITCHBOARD_CONFIG: path })).toEqual([
      expect.stringMatching(
        new RegExp(`^PORT \\(in ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): is not a whole number \\(got "abc"\\)`),
      ),
    ]);
  });

  it('rejects values that are neither strings nor numbers', () => {
    const path = configFile({ PORT: [4000], HOST: { name: 'h' } });
    expect(problemsOf({ SWITCHBOARD_CONFIG: path })).toEqual([
      `PORT (in ${path}): must be a string or a number — write the value as you would in the environment`,
      `HOST (in ${path}): must be a string or a number — write the value as you would in the environment`,
    ]);
  });

  it('reports a file that is not valid JSON', () => {
    const path = configFile('{ "PORT": 4000, }');
    expect(problemsOf({ SWITCHBOARD_CONFIG: path })).toEqual([
      `SWITCHBOARD_CONFIG: the file ${path} is not valid JSON — point it at a readable JSON file, or unset it`,
    ]);
  });

  it('reports a file that is not a JSON object', () => {
    const path = configFile([{ PORT: 4000 }]);
    expect(problemsOf({ SWITCHBOARD_CONFIG: path })).toEqual([
      expect.stringContaining(`SWITCHBOARD_CONFIG: the file ${path} is not a JSON object`),
    ]);
  });

  it('reports a file that cannot be read, with the error code', () => {
    const path = join(dir, 'does-not-exist.json');
    expect(problemsOf({ SWITCHBOARD_CONFIG: path })).toEqual([
      `SWITCHBOARD_CONFIG: the file ${path} cannot be read (ENOENT) — point it at a readable JSON file, or unset it`,
    ]);
  });

  it('reports file problems together with environment problems', () => {
    const path = configFile({ PORTT: 4000 });
    const problems = problemsOf({ SWITCHBOARD_CONFIG: path, LOG_LEVEL: 'loud' });
    expect(problems).toHaveLength(2);
    expect(problems.some((p) => p.startsWith(`PORTT (in ${path})`))).toBe(true);
    expect(problems.some((p) => p.startsWith('LOG_LEVEL:'))).toBe(true);
  });
});

describe('production mode', () => {
  it('requires a credential for every system and serves none from the sandbox', () => {
    const problems = problemsOf({ SWITCHBOARD_MODE: 'production' });
    expect(problems).toEqual([
      'HUBSPOT_TOKEN: is missing, and production mode does not serve CRM from the sandbox — set HUBSPOT_TOKEN (and HUBSPOT_BASE_URL for a non-vendor endpoint), or run with SWITCHBOARD_MODE=demo',
      'STRIPE_API_KEY: is missing, and production mode does not serve billing from the sandbox — set STRIPE_API_KEY (and STRIPE_BASE_URL for a non-vendor endpoint), or run with SWITCHBOARD_MODE=demo',
      'SLACK_BOT_TOKEN: is missing, and production mode does not serve chat from the sandbox — set SLACK_BOT_TOKEN (and SLACK_BASE_URL for a non-vendor endpoint), or run with SWITCHBOARD_MODE=demo',
    ]);
  });

  it('reports only the systems that lack a credential', () => {
    const problems = problemsOf({ SWITCHBOARD_MODE: 'production', HUBSPOT_TOKEN: SECRET, SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^STRIPE_API_KEY: is missing, and production mode/);
  });

  it('accepts credentials alone (vendor URLs) and custom base URLs with credentials', () => {
    const config = loadConfig({
      SWITCHBOARD_MODE: 'production',
      HUBSPOT_TOKEN: SECRET,
      STRIPE_API_KEY: 'sk_live_abc',
      SLACK_BASE_URL: 'https://slack.internal.example.com/api/',
      SLACK_BOT_TOKEN: 'xoxb-1',
    });
    expect(config.mode).toBe('production');
    expect(config.sandboxSystems).toEqual([]);
    expect(config.crm.baseUrl).toBe(VENDOR_BASE_URLS.crm);
    expect(config.billing.baseUrl).toBe(VENDOR_BASE_URLS.billing);
    expect(config.chat.baseUrl).toBe('https://slack.internal.example.com/api');
  });

  it('can be set from the config file', () => {
    const path = configFile({ SWITCHBOARD_MODE: 'production' });
    expect(problemsOf({ SWITCHBOARD_CONFIG: path })).toHaveLength(3);
  });

  it('an invalid mode reports only the mode, not missing production credentials', () => {
    const problems = problemsOf({ SWITCHBOARD_MODE: 'Production' });
    expect(problems).toEqual([expect.stringMatching(/^SWITCHBOARD_MODE: must be demo or production \(got "Production"\)/)]);
  });

  it('demo mode set explicitly still serves unconfigured systems from the sandbox', () => {
    expect(loadConfig({ SWITCHBOARD_MODE: 'demo' }).sandboxSystems).toEqual(['crm', 'billing', 'chat']);
  });
});

describe('redactConfig', () => {
  it('hides credentials and URL passwords and keeps everything else', () => {
    const config = loadConfig({
      HUBSPOT_TOKEN: SECRET,
      STRIPE_API_KEY: 'sk_live_SECRET-456',
      STRIPE_BASE_URL: `https://billing-user:${SECRET}@billing.example.com/v1`,
      SLACK_BOT_TOKEN: 'xoxb-SECRET-789',
      REDIS_URL: `redis://:${SECRET}@cache.example.com:6379/2`,
      PORT: '4321',
      CACHE_TTL_CONTACT: '30',
    });
    const redacted = redactConfig(config);
    const text = JSON.stringify(redacted);
    for (const secret of [SECRET, 'sk_live_SECRET-456', 'xoxb-SECRET-789', 'billing-user']) expect(text).not.toContain(secret);

    expect(redacted.crm).toEqual({ baseUrl: 'https://api.hubapi.com', token: '[redacted]' });
    expect(redacted.billing).toEqual({ baseUrl: 'https://billing.example.com/v1', apiKey: '[redacted]' });
    expect(redacted.chat).toEqual({ baseUrl: 'https://slack.com/api', botToken: '[redacted]' });
    expect(redacted.cache).toEqual({
      redisUrl: 'redis://cache.example.com:6379/2',
      maxEntries: 50_000,
      maxBytes: 64 * 2 ** 20,
      responses: { enabled: false, maxBytes: 8 * 2 ** 20 },
      ttlSeconds: { ...DEFAULT_CACHE_TTL_SECONDS, userDirectory: 300, contact: 30 },
    });
    expect(redacted.port).toBe(4321);
    expect(redacted.sandboxSystems).toEqual([]);
  });

  it('leaves unset credentials unset and does not modify the config', () => {
    const config = loadConfig({ STRIPE_API_KEY: 'sk_test_abc' });
    const redacted = redactConfig(config);
    expect(redacted.crm).toEqual({ baseUrl: undefined, token: undefined });
    expect(redacted.billing).toEqual({ baseUrl: 'https://api.stripe.com', apiKey: '[redacted]' });
    expect(config.billing.apiKey).toBe('sk_test_abc');
  });
});
