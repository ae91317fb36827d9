/**
 * An error belongs to its own field: a failure answers null at the field that failed, with
 * its own code, service and exact path (list indexes included), and nothing else in the
 * response is lost — not a sibling root field of the same system, not the fields of
 * another system, not a neighbour in a batch.
 */
import {
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.ts';
import type { SystemName } from '@switchboard/sandbox';
import { createCachedLoader } from '../src/cache/cached-loader.ts';
import type { ResourceCache } from '../src/cache/types.ts';
import { buildGatewaySchema, createSubschemas } from '../src/stitching.ts';
import { createSubschemaExecutor } from '../src/subschema-executor.ts';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { parse } from 'graphql';
import { TEST_AUTH_HEADERS } from './support/credentials.ts';
import { NO_CACHE_ENV, startStack, type Stack } from './support/stack.ts';

const SYSTEMS: SystemName[] = ['crm', 'billing', 'chat'];

// Every read reaches the vendor, so a knob turned on is seen by the next query.
const NO_CACHE = { ...NO_CACHE_ENV, UPSTREAM_BREAKER_THRESHOLD: '1000' };

/**
 * The non-null fields of object type (or lists of them) the README's nullability policy
 * keeps, with its reason: a page's own fields, what the record itself carries, a merge key.
 */
const PAGE_TYPES = /(Connection|Edge)$/;
const EMBEDDED = new Set([
  'Invoice.lines',
  'Invoice.amountDue',
  'Invoice.amountPaid',
  'Invoice.amountRemaining',
  'Invoice.subtotal',
  'Invoice.total',
  'InvoiceLineItem.amount',
  'InvoiceLineItem.period',
  'BillingSubscription.items',
  'Charge.amount',
  'Charge.amountRefunded',
  'Customer.metadata',
  'WorkflowResult.steps',
  'WorkflowResult.warnings',
  'WorkflowStep.upstreamIds',
  // The parts of the health report: computed in process from what this replica already holds, in one resolver.
  'IntegrationHealth.systems',
  'IntegrationHealth.webhooks',
  'IntegrationHealth.alerts',
  'IntegrationHealthChange.health',
  'SystemHealth.last5Minutes',
  'SystemHealth.last60Minutes',
  'TrafficWindow.perMinute',
  'CatchUpRun.systems',
  'FailedWork.steps',
  'ReplicaHealth.systems',
]);

function nonNullLinks(schema: GraphQLSchema): string[] {
  const found: string[] = [];
  for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
    if (!isObjectType(type) || type.name.startsWith('__') || PAGE_TYPES.test(type.name)) continue;
    if (type === schema.getMutationType() || type === schema.getSubscriptionType()) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      const coordinate = `${type.name}.${field.name}`;
      const isRoot = type === schema.getQueryType();
      const linksRecords = isObjectType(getNamedType(field.type)) || (isListType(field.type) && field.args.length > 0);
      if (!isNonNullType(field.type) || EMBEDDED.has(coordinate) || coordinate === 'PageInfo.hasNextPage') continue;
      if (isRoot || linksRecords) found.push(coordinate);
    }
  }
  return found;
}

describe('nullability policy (README, "Nullability policy")', () => {
  it('keeps every root field and every link to records nullable in the public schema', () => {
    expect(nonNullLinks(buildGatewaySchema())).toEqual([]);
  });

  it('keeps the merge entry points and links nullable inside each subschema too', () => {
    // Stitching sends a system's root fields, entry points included, as one request: a
    // non-null one that fails would null that request's whole result.
    for (const subschema of createSubschemas()) expect(nonNullLinks(subschema.schema)).toEqual([]);
  });
});

describe('a delegated query that fails as a whole', () => {
  it('is run again one root field at a time, so only the field it belongs to fails', async () => {
    const schema = makeExecutableSchema({
      typeDefs: 'type Query { double(n: Int!): Int }',
      resolvers: { Query: { double: (_: unknown, { n }: { n: number }) => n * 2 } },
    });
    const execute = createSubschemaExecutor(schema);
    // What batch-execute sends for two root fields of one system: one query, prefixed.
    const document = parse('query ($_v0_n: Int!, $_v1_n: Int!) { _v0_double: double(n: $_v0_n) _v1_double: double(n: $_v1_n) }');
    const result = (await execute({ document, variables: { _v0_n: 2, _v1_n: 'not a number' }, context: {} })) as {
      data?: Record<string, unknown>;
      errors?: { path?: readonly (string | number)[] }[];
    };
    expect(result.data).toEqual({ _v0_double: 4, _v1_double: null });
    expect(result.errors!.map((error) => error.path)).toEqual([['_v1_double']]);
  });
});

describe('cached loader batches', () => {
  it('give a failed id its own error, resolve and cache its neighbours, and cache nothing for the failure', async () => {
    const stored = new Map<string, unknown>();
    const cache: ResourceCache = {
      getMany: async <T>(resource: string, ids: readonly string[]) =>
        ids.map((id) => stored.get(`${resource}:${id}`) as T | null | undefined),
      setMany: async (resource, entries) => {
        for (const [id, value] of entries) stored.set(`${resource}:${id}`, value);
      },
      fencedSince: async () => [],
      delete: async () => undefined,
    };
    const broken = new Error('bad answer for b');
    const loader = createCachedLoader<{ id: string }>({
      cache,
      resource: 'thing',
      maxBatchSize: 10,
      fetch: async (ids) => new Map(ids.map((id) => [id, id === 'b' ? broken : { id }] as const)),
    });
    expect(await loader.loadMany(['a', 'b', 'c'])).toEqual([{ id: 'a' }, broken, { id: 'c' }]);
    expect([...stored.keys()].sort()).toEqual(['thing:a', 'thing:c']);
  });
});

describe('partial failure', () => {
  let stack: Stack;
  let memberChannel: string;

  beforeAll(async () => {
    stack = await startStack({ world: { size: 100 }, env: NO_CACHE });
    const channels = await stack.query<{ channels: { nodes: { id: string; isMember: boolean | null }[] } }>(
      '{ channels(first: 100) { nodes { id isMember } } }',
    );
    memberChannel = channels.data!.channels.nodes.find((channel) => channel.isMember)!.id;
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    for (const system of SYSTEMS) await stack.sandbox.server(system).resetAll();
  });

  describe('sibling root fields of one system', () => {
    it('answers contacts and a BAD_USER_INPUT at deals for a bad deals cursor', async () => {
      const result = await stack.query<{ contacts: { totalCount: number | null; nodes: unknown[] }; deals: unknown }>(
        '{ contacts(first: 2) { totalCount nodes { id } } deals(first: 2, after: "bad") { totalCount } }',
      );
      expect(result.data!.contacts.nodes).toHaveLength(2);
      expect(result.data!.deals).toBeNull();
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]).toMatchObject({ path: ['deals'], extensions: { code: 'BAD_USER_INPUT' } });
    });

    it('refuses a bad DateTime as the caller input, never as an error of a sibling root field', async () => {
      for (const [query, variables] of [
        ['{ customers(first: 1) { totalCount } invoices(first: 2, filter: { createdFrom: "not-a-date" }) { totalCount } }', undefined],
        [
          'query ($d: DateTime) { customers(first: 1) { totalCount } invoices(first: 2, filter: { createdFrom: $d }) { totalCount } }',
          { d: 'nope' },
        ],
      ] as const) {
        const result = await stack.query(query, variables);
        expect(result.errors!.length, query).toBeGreaterThan(0);
        for (const error of result.errors!) {
          expect(error.path, query).toBeUndefined();
          expect(error.extensions!.code, query).toBe('BAD_USER_INPUT');
        }
      }
    });

    it('answers channels and an error of its own at channelMessages for a channel Slack does not have', async () => {
      const result = await stack.query<{ channels: { totalCount: number }; channelMessages: unknown }>(
        '{ channels(first: 2) { totalCount } channelMessages(channel: "CNOPE", first: 2) { totalCount } }',
      );
      expect(result.data!.channels.totalCount).toBeGreaterThan(0);
      expect(result.data!.channelMessages).toBeNull();
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0].path).toEqual(['channelMessages']);
      expect(result.errors![0].extensions!.code).not.toBe('INTERNAL_SERVER_ERROR');
    });
  });

  describe("one system's outage", () => {
    it('keeps the CRM fields of a contact when Stripe refuses connections', async () => {
      await stack.sandbox.server('billing').setKnobs({ outage: 'refuse' });
      const result = await stack.query<{ contact: { email: string; company: { name: string } | null; invoices: unknown } }>(
        '{ contact(id: "10000001") { email company { name } invoices { id } } }',
      );
      expect(result.data!.contact).toMatchObject({ email: expect.any(String), company: { name: expect.any(String) }, invoices: null });
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]).toMatchObject({
        path: ['contact', 'invoices'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', service: 'billing' },
      });
    });

    it('keeps the contact when Slack answers 500 to channelMessages', async () => {
      await stack.sandbox.server('chat').setKnobs({ errorRate: 1 });
      const result = await stack.query<{ contact: { email: string }; channelMessages: unknown }>(
        `{ contact(id: "10000001") { email } channelMessages(channel: "${memberChannel}", first: 3) { totalCount } }`,
      );
      expect(result.data!.contact.email).toEqual(expect.any(String));
      expect(result.data!.channelMessages).toBeNull();
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]).toMatchObject({ path: ['channelMessages'], extensions: { code: 'UPSTREAM_UNAVAILABLE', service: 'chat' } });
    });
  });

  describe('error paths', () => {
    it('gives one error per failing record, at its list index, when billing is down', async () => {
      await stack.sandbox.server('billing').setKnobs({ outage: 'refuse' });
      const result = await stack.query<{ contacts: { nodes: { id: string; billingCustomer: unknown }[] } }>(
        '{ contacts(first: 3) { nodes { id billingCustomer { id } } } }',
      );
      expect(result.data!.contacts.nodes.map((node) => node.billingCustomer)).toEqual([null, null, null]);
      const paths = result.errors!.map((error) => error.path);
      expect(paths).toHaveLength(3);
      expect(paths).toEqual(expect.arrayContaining([0, 1, 2].map((index) => ['contacts', 'nodes', index, 'billingCustomer'])));
      for (const error of result.errors!) expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'billing' });
    });

    it('gives two errors for two failing invoice lists', async () => {
      await stack.sandbox.server('billing').setKnobs({ outage: 'refuse' });
      const result = await stack.query<Record<string, { email: string; invoices: unknown }>>(
        '{ a: contact(id: "10000001") { email invoices { id } } b: contact(id: "10000002") { email invoices { id } } }',
      );
      expect(result.data!.a).toMatchObject({ email: expect.any(String), invoices: null });
      expect(result.data!.b).toMatchObject({ email: expect.any(String), invoices: null });
      expect(result.errors!.map((error) => error.path)).toEqual(
        expect.arrayContaining([
          ['a', 'invoices'],
          ['b', 'invoices'],
        ]),
      );
      expect(result.errors).toHaveLength(2);
    });

    it('keeps the list index of errors on nested lists of merged records', async () => {
      await stack.sandbox.server('billing').setKnobs({ outage: 'refuse' });
      const result = await stack.query<{ contacts: { nodes: { invoices: unknown; subscriptions: unknown }[] } }>(
        '{ contacts(first: 2) { nodes { id invoices { id } subscriptions { id } } } }',
      );
      const paths = result.errors!.map((error) => error.path);
      expect(paths).toHaveLength(4);
      for (const index of [0, 1]) {
        for (const field of ['invoices', 'subscriptions']) expect(paths).toContainEqual(['contacts', 'nodes', index, field]);
      }
    });
  });

  describe('batches settle per record', () => {
    async function editStripe(edit: Record<string, unknown>): Promise<void> {
      const response = await fetch(`${stack.sandbox.urls.billing}/__sandbox/edit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(edit),
      });
      expect(response.status, await response.clone().text()).toBe(200);
    }

    it('fails only the customer whose answer is corrupt, and resolves its neighbour in the same batch', async () => {
      const [good, bad] = stack.sandbox.world.customers;
      // A balance that is not a number reaches the gateway as null: that one body breaks the contract.
      await editStripe({ object: 'customer', id: bad.id, set: { balance: 'not a number' } });
      stack.sandbox.server('billing').requests.reset();
      const result = await stack.query<Record<string, { id: string } | null>>(
        `{ good: customer(id: "${good.id}") { id } bad: customer(id: "${bad.id}") { id } }`,
      );
      expect(result.data).toEqual({ good: { id: good.id }, bad: null });
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]).toMatchObject({ path: ['bad'], extensions: { code: 'UPSTREAM_BAD_RESPONSE', service: 'billing' } });
      // Both were read in one batch: one GET each.
      expect(stack.sandbox.server('billing').requests.total).toBe(2);
    });

    it('fails only the customer Stripe answers 400 for, and resolves its neighbour in the same batch', async () => {
      const [first, second] = stack.sandbox.world.customers;
      // The next answer, whichever of the two GETs it goes to.
      stack.sandbox
        .server('billing')
        .script([{ status: 400, body: { error: { type: 'invalid_request_error', message: 'Invalid customer id' } } }]);
      const result = await stack.query<Record<string, { id: string } | null>>(
        `{ a: customer(id: "${first.id}") { id } b: customer(id: "${second.id}") { id } }`,
      );
      const answered = Object.values(result.data!).filter((value) => value !== null);
      expect(answered).toHaveLength(1);
      expect(result.errors).toHaveLength(1);
      const failed = result.errors![0].path![0] as string;
      expect(result.data![failed]).toBeNull();
      expect(result.errors![0].extensions!.service).toBe('billing');
    });

    it('answers NOT_FOUND for an unknown id and the record for its neighbour', async () => {
      const [good] = stack.sandbox.world.customers;
      const result = await stack.query<Record<string, { id: string } | null>>(
        `{ good: customer(id: "${good.id}") { id } gone: customer(id: "cus_doesnotexist") { id } }`,
      );
      expect(result.data).toEqual({ good: { id: good.id }, gone: null });
      expect(result.errors!.map((error) => [error.path, error.extensions!.code])).toEqual([[['gone'], 'NOT_FOUND']]);
    });
  });
});

describe('a vendor that hangs', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 50 }, env: { ...NO_CACHE, REQUEST_DEADLINE_MS: '1500' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("leaves time for another system's links below the object it hangs on", async () => {
    // Stitching resolves Company's owner (CRM) and its chatUser (Slack) only once billing's part
    // of Company has settled: a Stripe call that took the whole deadline left Slack none.
    const query = '{ company(id: "20000001") { name owner { id chatUser { id } } billingCustomers { email } } }';
    const healthy = await stack.query<{ company: { owner: { chatUser: { id: string } | null } } }>(query);
    expect(healthy.errors).toBeUndefined();
    expect(healthy.data!.company.owner.chatUser).toMatchObject({ id: expect.any(String) });
    await stack.sandbox.server('billing').setKnobs({ outage: 'hang' });
    try {
      const result = await stack.query<{ company: { name: string; owner: { chatUser: unknown }; billingCustomers: unknown } }>(query);
      expect(result.data!.company).toMatchObject({ name: expect.any(String), owner: healthy.data!.company.owner, billingCustomers: null });
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]).toMatchObject({
        path: ['company', 'billingCustomers'],
        extensions: { code: 'UPSTREAM_TIMEOUT', service: 'billing' },
      });
    } finally {
      await stack.sandbox.server('billing').resetAll();
    }
  });
});

describe('a call the bulkhead refuses', () => {
  let stack: Stack;
  beforeAll(async () => {
    // One billing call in flight and none waiting: a second one is refused at once.
    stack = await startStack({
      world: { size: 50 },
      env: { ...NO_CACHE, REQUEST_DEADLINE_MS: '1500', UPSTREAM_BULKHEAD: '1', UPSTREAM_BULKHEAD_QUEUE: '0', UPSTREAM_RETRIES: '0' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers with its own code, not the timeout of the call it was batched with', async () => {
    const [a, b] = stack.sandbox.world.customers;
    // Slow rather than hung: the sandbox logs a call when it arrives, which the tests wait on.
    await stack.sandbox.server('billing').setKnobs({ latencyMs: 30_000 });
    stack.sandbox.server('billing').requests.reset();
    const result = await stack.query<Record<string, unknown>>(`{ a: customer(id: "${a.id}") { id } b: customer(id: "${b.id}") { id } }`);
    await stack.sandbox.server('billing').setKnobs({ latencyMs: 0 });
    expect(result.data).toEqual({ a: null, b: null });
    const byCode = Object.fromEntries(result.errors!.map((error) => [error.extensions!.code, error]));
    expect(Object.keys(byCode).sort()).toEqual(['UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE']);
    expect(byCode.UPSTREAM_UNAVAILABLE).toMatchObject({
      message: expect.stringMatching(/too many calls in flight/),
      extensions: { service: 'billing' },
    });
    // The refused call was never sent.
    expect(stack.sandbox.server('billing').requests.total).toBe(1);
  });

  it('answers a request whose only call is refused while the call holding the slot still hangs', async () => {
    const [, , a, b] = stack.sandbox.world.customers;
    stack.sandbox.server('billing').requests.reset();
    // Slow rather than hung: the sandbox logs a call when it arrives, which the tests wait on.
    await stack.sandbox.server('billing').setKnobs({ latencyMs: 30_000 });
    let hungAnswered = false;
    const hung = stack.query(`{ customer(id: "${a.id}") { id } }`).then((result) => {
      hungAnswered = true;
      return result;
    });
    // Wait (by the sandbox's own log, not a clock) until the first call holds the slot.
    await expect.poll(() => stack.sandbox.server('billing').requests.total, { interval: 10, timeout: 5000 }).toBeGreaterThanOrEqual(1);
    const refused = await stack.query(`{ customer(id: "${b.id}") { id } }`);
    expect(hungAnswered).toBe(false);
    expect(refused.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'billing' });
    expect((await hung).errors![0].extensions!.code).toBe('UPSTREAM_TIMEOUT');
    await stack.sandbox.server('billing').setKnobs({ latencyMs: 0 });
  });
});

describe('INTERNAL_SERVER_ERROR is for gateway bugs only', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 50 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const post = async (body: string) => {
    const response = await stack.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...TEST_AUTH_HEADERS },
      body,
    });
    return { status: response.status, ...((await response.json()) as { errors?: { extensions?: { code?: string } }[] }) };
  };

  it('answers a request the caller got wrong with a documented code, never an undocumented or internal one', async () => {
    const twoOperations = 'query A { contacts(first: 1) { totalCount } } query B { deals(first: 1) { totalCount } }';
    const requests = [
      JSON.stringify({ query: '{ contacts(first: 1) { totalCount } }', operationName: 'Nope' }),
      JSON.stringify({ query: twoOperations }),
      JSON.stringify({ query: twoOperations, operationName: 'C' }),
      '{}',
      JSON.stringify({ query: '{ contacts(first: 1) { totalCount } }', variables: 'x' }),
    ];
    for (const body of requests) {
      const result = await post(body);
      expect(result.status, body).toBe(400);
      for (const error of result.errors!) {
        expect(Object.keys(ERROR_CODES), body).toContain(error.extensions?.code);
        expect(error.extensions?.code, body).not.toBe('INTERNAL_SERVER_ERROR');
      }
    }
  });
});

describe('links that take a further call', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Company records stay cached, their associations do not: the association read is the one that fails.
    stack = await startStack({ world: { size: 50 }, env: { ...NO_CACHE, CACHE_TTL_COMPANY: '600' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps a company when HubSpot answers its contact ids badly, with one error per field at contactIds', async () => {
    const read = await stack.query<{ company: { name: string } }>('{ company(id: "20000001") { name } }');
    expect(read.data!.company.name).toEqual(expect.any(String));
    await stack.sandbox.server('crm').setKnobs({ corrupt: 'html' });
    const result = await stack.query<{ company: Record<string, unknown> | null }>(
      '{ company(id: "20000001") { name contactIds contactIds_1: contactIds billingCustomers { id } } }',
    );
    await stack.sandbox.server('crm').setKnobs({ corrupt: 'none' });
    expect(result.data!.company).toEqual({ name: read.data!.company.name, contactIds: null, contactIds_1: null, billingCustomers: null });
    const paths = result.errors!.map((error) => error.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        ['company', 'contactIds'],
        ['company', 'contactIds_1'],
        ['company', 'billingCustomers'],
      ]),
    );
    // billingCustomers needs the CRM's contact ids: the CRM's own error, not billing's.
    for (const error of result.errors!) expect(error.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', service: 'crm' });
  });

  it('reports a failed merge key the client did not select at the field that needed it', async () => {
    await stack.query('{ company(id: "20000006") { name } }');
    await stack.sandbox.server('crm').setKnobs({ errorRate: 1 });
    const result = await stack.query<{ company: Record<string, unknown> | null }>(
      '{ company(id: "20000006") { name billingCustomers { id } } }',
    );
    await stack.sandbox.server('crm').setKnobs({ errorRate: 0 });
    expect(result.data!.company).toEqual({ name: expect.any(String), billingCustomers: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({
      path: ['company', 'billingCustomers'],
      extensions: { code: 'UPSTREAM_UNAVAILABLE', service: 'crm' },
    });
  });
});

describe('answers about records that were not asked for', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Deal records stay cached, their links do not: the association read is the one answered badly.
    stack = await startStack({ world: { size: 50 }, env: { ...NO_CACHE, CACHE_TTL_DEAL: '600' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('are bad responses, never a silent null (HubSpot answering links with a mangled record id)', async () => {
    const read = await stack.query<{ deal: { company: { id: string } | null } }>('{ deal(id: "30000001") { company { id } } }');
    expect(read.data!.deal.company).not.toBeNull();
    await stack.sandbox.server('crm').setKnobs({ corrupt: 'wrong-type' });
    const result = await stack.query<{ deal: { name: string; company: unknown } | null }>(
      '{ deal(id: "30000001") { name company { id } } }',
    );
    await stack.sandbox.server('crm').setKnobs({ corrupt: 'none' });
    expect(result.data!.deal).toMatchObject({ name: expect.any(String), company: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({ path: ['deal', 'company'], extensions: { code: 'UPSTREAM_BAD_RESPONSE', service: 'crm' } });
  });
});

describe('@skip and @include in merged selections', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 50 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('neither break the merge keys of the query that has them nor leak into later queries', async () => {
    const [contact] = stack.sandbox.world.contacts;
    const skipped = await stack.query<{ contact: { subscriptions: unknown[] | null } }>(
      `{ contact(id: "${contact.id}") { companies @skip(if: true) { city } subscriptions { createdAt } } }`,
    );
    expect(skipped.errors).toBeUndefined();
    expect(Array.isArray(skipped.data!.contact.subscriptions)).toBe(true);
    // Queries the first one used to spoil (their keys or fields went missing afterwards).
    const later = await stack.query<{ contact: { c: unknown[]; subscriptions: unknown[] | null } }>(
      `{ contact(id: "${contact.id}") { c: companies { name } subscriptions { createdAt } } }`,
    );
    expect(later.errors).toBeUndefined();
    expect(Array.isArray(later.data!.contact.subscriptions)).toBe(true);
    const owner = await stack.query<{ owner: { id: string; chatUser: unknown } }>('{ owner(id: "40000001") { id chatUser { name } } }');
    expect(owner.errors).toBeUndefined();
    expect(owner.data!.owner.id).toBe('40000001');
  });

  it('keep a merge key the client selected under a condition: the link still resolves, and the field follows its condition', async () => {
    const contact = stack.sandbox.world.customers.find((c) => c.linkedByMetadata && c.contactId)!.contactId!;
    const expected = await stack.query<{ contact: { billingCustomer: { id: string } } }>(
      `{ contact(id: "${contact}") { billingCustomer { id } } }`,
    );
    const customer = expected.data!.contact.billingCustomer;
    expect(customer.id).toMatch(/^cus_/);
    const cases: [string, Record<string, unknown> | undefined, Record<string, unknown>][] = [
      [`{ contact(id: "${contact}") { id @skip(if: true) billingCustomer { id } } }`, undefined, { billingCustomer: customer }],
      [
        `{ contact(id: "${contact}") { id @include(if: false) email invoices { id } } }`,
        undefined,
        { email: expect.any(String), invoices: expect.any(Array) },
      ],
      [
        `query($skip: Boolean!) { contact(id: "${contact}") { id @skip(if: $skip) billingCustomer { id } } }`,
        { skip: false },
        { id: contact, billingCustomer: customer },
      ],
      [`{ contact(id: "${contact}") { ... @skip(if: true) { id } billingCustomer { id } } }`, undefined, { billingCustomer: customer }],
      [`{ contact(id: "${contact}") { id @skip(if: true) } }`, undefined, {}],
      [
        `{ contact(id: "${contact}") { company { id @include(if: false) } billingCustomer { id } } }`,
        undefined,
        { company: {}, billingCustomer: customer },
      ],
    ];
    for (const [query, variables, shape] of cases) {
      const result = await stack.query<{ contact: Record<string, unknown> }>(query, variables);
      expect(result.errors, query).toBeUndefined();
      expect(result.data!.contact, query).toEqual(shape);
    }
    // A level whose every selection is skipped answers an empty object, as graphql-js would.
    const empty = await stack.query('{ deals(first: 2) { nodes @include(if: false) { __typename } } }');
    expect(empty.errors).toBeUndefined();
    expect(empty.data).toEqual({ deals: {} });
  });
});
