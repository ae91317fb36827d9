/**
 * Read-after-write across replicas: with REDIS_URL the cache is shared, so a write through
 * one gateway invalidates what another gateway cached, and that replica reads the new value
 * at once. Uses the real Redis and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
  type Answer<T> = { data?: T; errors?: { extensions?: Record<string, unknown> }[]; extensions?: Record<string, unknown> };
  const run = async <T>(gateway: Gateway, query: string, headers: Record<string, string> = {}): Promise<Answer<T>> => {
    const response = await gateway.yoga.fetch('http://replica.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TEST_AUTH_HEADERS, ...headers },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as Answer<T>;
  };
  const joinedReads = async (gateway: Gateway, system: string) => {
    const text = await (await gateway.yoga.fetch('http://replica.test/metrics')).text();
    const line = text.split('\n').find((l) => l.startsWith(`switchboard_upstream_joined_reads{system="${system}"} `));
    return Number(line?.split(' ')[1] ?? 0);
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

  it("a customer updated through replica A reads back changed on replica B, although B's identical read from before the write is in flight", async () => {
    // Found by the soak: the read of an acknowledged write on the other replica joined that
    // replica's identical read, begun before the write, and answered the old record.
    const a = replica();
    const b = replica();
    const customer = sandbox.world.customers[7];
    const billing = sandbox.server('billing');
    const route = 'GET /v1/customers/:id';
    const reads = () => billing.requests.entries.filter((e) => e.route === route && e.path.endsWith(`/${customer.id}`));
    // Stripe holds its answer to B's first read (the customer as it was) until the test opens the gate.
    const gate = billing.gate({ route, match: `/${customer.id}`, first: 1 }).id;
    const before = run<{ customer: { name: string | null } }>(b, `query Before { customer(id: "${customer.id}") { name } }`);
    await vi.waitFor(() => expect(reads()).toHaveLength(1), { timeout: 10_000 });

    const write = await run<{ updateCustomer: { name: string } }>(
      a,
      `mutation { updateCustomer(id: "${customer.id}", input: { name: "Written on A" }) { name } }`,
    );
    expect(write.data!.updateCustomer.name).toBe('Written on A');
    const traced = { 'x-switchboard-trace': '1' };
    const after = run<{ customer: { name: string } }>(b, `query After { customer(id: "${customer.id}") { name } }`, traced);
    // B's read after the write has joined the read in flight (the gauge counts it) before Stripe answers that one.
    await vi.waitFor(async () => expect(await joinedReads(b, 'billing')).toBe(1), { timeout: 10_000 });
    billing.openGate(gate);
    expect((await before).data!.customer.name).not.toBe('Written on A');
    const answered = await after;
    expect(answered.data!.customer.name).toBe('Written on A');
    // The customer having been fenced since the joined read began, B asked Stripe again, alone.
    const calls = (answered.extensions!.trace as { upstream: { system: string; coalesced?: boolean }[] }).upstream;
    expect(calls.filter((call) => call.system === 'billing').map((call) => call.coalesced === true)).toEqual([true, false]);
    expect(reads().map((e) => e.heldUntil ?? 'unheld')).toEqual(['opened', 'unheld', 'unheld']);
    const later = await run<{ customer: { name: string } }>(b, `query Later { customer(id: "${customer.id}") { name } }`);
    expect(later.data!.customer.name).toBe('Written on A');
  });
});
