/**
 * Production mode end to end: vendors configured (the sandbox stands in for them), no
 * development key, no GraphiQL, no introspection, and every unauthenticated request refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/observability/logger.ts';
import { type Sandbox, startSandbox } from '@switchboard/sandbox';
import { resolveUpstreams } from '../src/upstreams.ts';
import { sandboxVendorEnv, TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from './support/credentials.ts';

describe('production mode', () => {
  let sandbox: Sandbox;
  let gateway: Gateway;
  const upstreamTotal = () => ['crm', 'billing', 'chat'].reduce((n, s) => n + sandbox.server(s as 'crm').requests.total, 0);
  const post = (query: string, headers: Record<string, string> = {}) =>
    gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });

  beforeAll(async () => {
    sandbox = await startSandbox({ world: { size: 50 } });
    const config = loadConfig({
      SWITCHBOARD_MODE: 'production',
      LOG_LEVEL: 'silent',
      SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
      ...sandboxVendorEnv(sandbox.urls),
    });
    expect(config.sandboxSystems).toEqual([]);
    gateway = createGateway({ config, upstreams: resolveUpstreams(config), logger: createLogger('silent') });
  });
  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
  });

  it('answers an unauthenticated request with 401 UNAUTHENTICATED and no upstream call', async () => {
    const response = await post('{ contacts(first: 1) { nodes { id } } }');
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(upstreamTotal()).toBe(0);
  });

  it('serves an authenticated query from the configured vendors', async () => {
    const response = await post('{ contacts(first: 2) { nodes { id } } }', TEST_AUTH_HEADERS);
    const body = (await response.json()) as { data: { contacts: { nodes: { id: string }[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.contacts.nodes).toHaveLength(2);
  });

  it('refuses introspection and does not serve GraphiQL', async () => {
    const introspection = await post('{ __schema { types { name } } }', TEST_AUTH_HEADERS);
    const body = (await introspection.json()) as { errors?: { extensions: { code: string } }[]; data?: unknown };
    expect(body.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const page = await gateway.yoga.fetch('http://gateway.test/graphql', { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('GraphiQL');
  });
});
