/**
 * API key configuration: only hashes are configured, bad entries are named without echoing
 * them, and a key minted by the hash-key command authenticates with exactly its scopes.
 */
import { describe, expect, it } from 'vitest';
import { createApiKeyRegistry } from '../src/auth/api-keys.ts';
import { hashKeyCommand } from '../src/auth/hash-key-command.ts';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('API keys', () => {
  it('mints a key whose configuration entry authenticates it with exactly the given scopes and rate', () => {
    const { ok, output } = hashKeyCommand(['reporting', 'crm:read+billing:read', '120']);
    expect(ok).toBe(true);
    const key = /API key .*: (sbk_\S+)/.exec(output)![1]!;
    const entry = /SWITCHBOARD_API_KEYS entry .*: (\S+)/.exec(output)![1]!;
    expect(entry).not.toContain(key);
    const config = loadConfig({ SWITCHBOARD_API_KEYS: entry });
    const registry = createApiKeyRegistry(config.auth.apiKeys);
    const principal = registry.verify(key)!;
    expect(principal.id).toBe('api-key:reporting');
    expect([...principal.scopes].sort()).toEqual(['billing:read', 'crm:read']);
    expect(principal.rateLimitPerMinute).toBe(120);
    expect(registry.verify(`${key}x`)).toBeUndefined();
  });

  it('rejects malformed entries, unknown scopes and plaintext keys, naming the variable but not the value', () => {
    const plaintext = 'sbk_this-is-a-plaintext-key';
    let error: unknown;
    try {
      loadConfig({ SWITCHBOARD_API_KEYS: `svc:${plaintext}:crm:read,other:${'a'.repeat(64)}:crm:admin` });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('SWITCHBOARD_API_KEYS');
    expect(message).not.toContain(plaintext);
  });

  it('refuses JWT verification without issuer and audience in production mode', () => {
    expect(() =>
      loadConfig({
        SWITCHBOARD_MODE: 'production',
        JWT_JWKS_URL: 'https://idp.example.com/jwks.json',
        HUBSPOT_TOKEN: 't',
        STRIPE_API_KEY: 'k',
        SLACK_BOT_TOKEN: 'x',
      }),
    ).toThrow(/JWT_ISSUER[\s\S]*JWT_AUDIENCE/);
  });

  it('turns introspection and GraphiQL off by default in production mode', () => {
    const config = loadConfig({ SWITCHBOARD_MODE: 'production', HUBSPOT_TOKEN: 't', STRIPE_API_KEY: 'k', SLACK_BOT_TOKEN: 'x' });
    expect(config.limits.allowIntrospection).toBe(false);
    expect(config.limits.allowGraphiql).toBe(false);
  });
});
