/**
 * With REDIS_URL set, replicas share the cross-request cache: what one gateway read
 * upstream, another serves without asking the vendor again. Uses the real Redis.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/observability/logger.ts';
import { type Sandbox, startSandbox } from '@switchboard/sandbox';
import { resolveUpstreams } from '../src/upstreams.ts';
import { TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from './support/credentials.ts';
import { hasService } from './support/services.ts';

const W1 = readFileSync(new URL('../documents/W1ContactsWithLinks.graphql', import.meta.url), 'utf8');

describe.runIf(hasService('redis'))('the cache shared through Redis', () => {
  let sandbox: Sandbox;
  const gateways: Gateway[] = [];
  const namespace = `test-${randomUUID()}`;

  const replica = () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:6379', SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV });
    const gateway = createGateway({
      config,
      upstreams: resolveUpstreams(config, sandbox),
      logger: createLogger('silent'),
      cacheNamespace: namespace,
    });
    gateways.push(gateway);
    return gateway;
  };
  const run = async (gateway: Gateway) => {
    const response = await gateway.yoga.fetch('http://replica.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TEST_AUTH_HEADERS },
      body: JSON.stringify({ query: W1 }),
    });
    return (await response.json()) as { data?: unknown; errors?: unknown[] };
  };
  const upstreamTotal = () => ['crm', 'billing', 'chat'].reduce((n, s) => n + sandbox.server(s as 'crm').requests.total, 0);

  beforeAll(async () => {
    sandbox = await startSandbox({ world: { size: 200 } });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await sandbox?.close();
  });

  it('lets a second replica answer W1 with zero upstream requests after the first one read it', async () => {
    const a = replica();
    const b = replica();
    expect(a.cache.backend).toBe('redis');
    const first = await run(a);
    expect(first.errors).toBeUndefined();
    const afterA = upstreamTotal();
    expect(afterA).toBeGreaterThan(0);
    const second = await run(b);
    expect(second.errors).toBeUndefined();
    expect(second.data).toEqual(first.data);
    expect(upstreamTotal()).toBe(afterA);
  });

  it('keeps caches of different upstream credentials apart', async () => {
    // Same namespace and Redis, but another CRM credential: nothing may be served from the first one's entries.
    const config = loadConfig({ LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:6379', SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV });
    const upstreams = resolveUpstreams(config, sandbox);
    const other = createGateway({
      config,
      upstreams: { ...upstreams, crm: { ...upstreams.crm, credential: 'pat-na1-another-portal' } },
      logger: createLogger('silent'),
      cacheNamespace: namespace,
    });
    gateways.push(other);
    sandbox.server('crm').requests.reset();
    const result = await run(other);
    // The sandbox rejects that credential: had the cache been shared, the query would have succeeded from it.
    expect(sandbox.server('crm').requests.total).toBeGreaterThan(0);
    expect(JSON.stringify(result.errors)).toContain('UPSTREAM_AUTH_FAILED');
  });
});
