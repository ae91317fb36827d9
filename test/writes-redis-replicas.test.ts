/**
 * Read-after-write across replicas: with REDIS_URL the cache is shared, so a write through
 * one gateway invalidates what another gateway cached, and that replica reads the new value
 * at once. Uses the real Redis and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/observability/logger.ts';
import { type Sandbox, startSandbox } from '@switchboard/sandbox';
import { resolveUpstreams } from '../src/upstreams.ts';
import { TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from './support/credentials.ts';
import { hasService } from './support/services.ts';
import { dropSchema, freshSchema, TEST_DATABASE_URL } from './writes-support.ts';

describe.runIf(hasService('redis') && hasService('postgres'))('writes seen by every replica through the shared cache', () => {
  let sandbox: Sandbox;
  const gateways: Gateway[] = [];
  const namespace = `test-${randomUUID()}`;
  const schema = freshSchema();

  const replica = () => {
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
      RATE_LIMIT_PER_MINUTE: '0',
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: schema,
    });
    const gateway = createGateway({
      config,
      upstreams: resolveUpstreams(config, sandbox),
      logger: createLogger('silent'),
      cacheNamespace: namespace,
    });
    gateways.push(gateway);
    return gateway;
  };
  const run = async <T>(gateway: Gateway, query: string): Promise<{ data?: T; errors?: { extensions?: Record<string, unknown> }[] }> => {
    const response = await gateway.yoga.fetch('http://replica.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TEST_AUTH_HEADERS },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: T };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ world: { size: 200 } });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await sandbox?.close();
    await dropSchema(schema);
  });

  it('a contact updated through replica A reads back changed on replica B, which had it cached', async () => {
    const a = replica();
    const b = replica();
    const list = await run<{ contacts: { nodes: { id: string; jobTitle: string | null }[] } }>(
      b,
      '{ contacts(first: 2) { nodes { id jobTitle } } }',
    );
    const id = list.data!.contacts.nodes[0].id;
    const warm = await run<{ contact: { jobTitle: string | null } }>(b, `{ contact(id: "${id}") { jobTitle } }`);
    expect(warm.data!.contact.jobTitle).not.toBe('Replicated');
    const before = sandbox.server('crm').requests.total;
    // Replica B answers from the shared cache now: no upstream call.
    await run(b, `{ contact(id: "${id}") { jobTitle } }`);
    expect(sandbox.server('crm').requests.total).toBe(before);

    const write = await run<{ updateContact: { jobTitle: string } }>(
      a,
      `mutation { updateContact(id: "${id}", input: { jobTitle: "Replicated" }) { jobTitle } }`,
    );
    expect(write.data!.updateContact.jobTitle).toBe('Replicated');
    const after = await run<{ contact: { jobTitle: string }; contacts: { nodes: { id: string; jobTitle: string | null }[] } }>(
      b,
      `{ contact(id: "${id}") { jobTitle } contacts(first: 2) { nodes { id jobTitle } } }`,
    );
    expect(after.data!.contact.jobTitle).toBe('Replicated');
    expect(after.data!.contacts.nodes.find((n) => n.id === id)!.jobTitle).toBe('Replicated');
  });
});
