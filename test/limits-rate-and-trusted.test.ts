/**
 * Per-principal rate limits (429 with Retry-After, shared by replicas through Redis) and
 * trusted-documents mode (only operations from the generated manifest run).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { loadTrustedDocuments } from '../src/plugins/security.ts';
import { TEST_API_KEYS_ENV } from './support/credentials.ts';
import { hasService } from './support/services.ts';
import { startStack, type Stack } from './support/stack.ts';

const LIMITED = 'sbk_rate-test-limited-key';
const keys = [TEST_API_KEYS_ENV, apiKeyConfigEntry('limited', LIMITED, ['crm:read'], 3)].join(',');
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('per-principal rate limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 20 }, env: { SWITCHBOARD_API_KEYS: keys, RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("answers 429 RATE_LIMITED with Retry-After once a key's own limit is spent, before any upstream request", async () => {
    for (let i = 0; i < 3; i++) expect((await stack.query('{ __typename }', undefined, bearer(LIMITED))).status).toBe(200);
    stack.resetCounts();
    const refused = await stack.query('{ contacts(first: 1) { nodes { id } } }', undefined, bearer(LIMITED));
    expect(refused.status).toBe(429);
    expect(refused.errors!.map((e) => e.extensions?.code)).toEqual(['RATE_LIMITED']);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.errors![0].extensions?.retryAfter).toBe(retryAfter);
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });

  it('counts each principal separately, with the configured default for keys without their own limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await stack.query('{ __typename }')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe.runIf(hasService('redis'))('rate limits shared through Redis', () => {
  const stacks: Stack[] = [];
  afterAll(async () => {
    await Promise.all(stacks.map((s) => s.close()));
  });

  it('spends one budget across two replicas', async () => {
    const namespace = `rate-${randomUUID()}`;
    const env = { SWITCHBOARD_API_KEYS: keys, REDIS_URL: 'redis://127.0.0.1:6379', RATE_LIMIT_PER_MINUTE: '5' };
    // Both replicas share the Redis namespace through the cache namespace option of the stack's gateway.
    for (let i = 0; i < 2; i++) stacks.push(await startStack({ world: { size: 20 }, env, cacheNamespace: namespace }));
    const [a, b] = stacks as [Stack, Stack];
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await a.query('{ __typename }', undefined, bearer(LIMITED))).status);
    for (let i = 0; i < 2; i++) statuses.push((await b.query('{ __typename }', undefined, bearer(LIMITED))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('trusted documents mode', () => {
  let stack: Stack;
  const manifest = loadTrustedDocuments();
  const w1 = [...manifest].find(([, query]) => query.includes('query W1ContactsWithLinks'))!;

  beforeAll(async () => {
    stack = await startStack({ world: { size: 60 }, env: { TRUSTED_DOCUMENTS: '1' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const send = (body: unknown) =>
    stack.fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...bearer('sbk_test-suite-full-scope-key-not-a-secret'),
      },
      body: JSON.stringify(body),
    });

  it('has every operation of documents/ in the generated manifest', () => {
    expect(manifest.size).toBeGreaterThanOrEqual(5);
    expect(w1).toBeDefined();
  });

  it('runs a registered operation sent by its id', async () => {
    const response = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: w1[0].replace(/^sha256:/, '') } } });
    const body = (await response.json()) as { data?: { contacts: { nodes: unknown[] } }; errors?: unknown };
    expect(response.status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data!.contacts.nodes).toHaveLength(50);
  });

  it.each([
    ['query text', { query: '{ contacts(first: 1) { nodes { id } } }' }],
    ['an unknown hash', { extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }],
  ])('refuses %s with 400 PERSISTED_QUERY_NOT_FOUND and no upstream request', async (_name, body) => {
    stack.resetCounts();
    const response = await send(body);
    const result = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(response.status).toBe(400);
    expect(result.errors.map((e) => e.extensions.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });
});

describe('the status page with trusted documents only', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 20 }, env: { TRUSTED_DOCUMENTS: '1' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("names its query by id on the page, and that id runs the health query (the page's own), which text would not", async () => {
    const html = await (await stack.fetch('/status')).text();
    const id = /<body data-document-id="([0-9a-f]{64})">/.exec(html)?.[1];
    expect(id).toBeDefined();
    const send = (body: unknown, key = 'sbk_test-suite-full-scope-key-not-a-secret') =>
      stack.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...bearer(key) },
        body: JSON.stringify({ operationName: 'IntegrationHealth', ...(body as object) }),
      });
    const byId = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } });
    const body = (await byId.json()) as { data?: { integrationHealth: { systems: { system: string }[] } }; errors?: unknown };
    expect(byId.status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data!.integrationHealth.systems.map((s) => s.system)).toEqual(['crm', 'billing', 'chat']);
    const byText = await send({ query: 'query IntegrationHealth { integrationHealth { generatedAt } }' });
    expect(byText.status).toBe(400);
  });
});
