/**
 * The CRM subschema end to end against the HubSpot emulator over real HTTP: GraphQL
 * operations run on the executable CRM schema with per-request loaders, and every
 * assertion on efficiency counts the requests the emulator received.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCrmSchema, createCrmSubschema } from '../resolvers/crm/index.ts';
import { createCacheStore, type CacheStore } from '../src/cache/store.ts';
import type { ResourceCache } from '../src/cache/types.ts';
import { DEFAULT_CACHE_TTL_SECONDS } from '../src/config.ts';
import { classifyHubSpotResponse, createCrmConnector, createCrmLoaders, hubspotProfile } from '../src/systems/crm/index.ts';
import type { GatewayContext } from '../src/context.ts';
import { createCrmEmulator, createWorld, SANDBOX_CREDENTIALS, SandboxServer, type World } from '@switchboard/sandbox';
import { createUpstreamClient, type ResilientUpstreamClient } from '../src/upstream/client.ts';

// @graphql-tools runs outside vitest's transform and so loads graphql's CommonJS build;
// executing with the same build avoids graphql's "another module or realm" check.
const { graphql } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

const TOKEN = SANDBOX_CREDENTIALS.crm;
const BATCH_READ = 'POST /crm/v3/objects/:type/batch/read';
const GET_ONE = 'GET /crm/v3/objects/:type/:id';
const LIST = 'GET /crm/v3/objects/:type';
const SEARCH = 'POST /crm/v3/objects/:type/search';
const ASSOCIATIONS = 'POST /crm/v4/associations/:fromType/:toType/batch/read';
const OWNERS = 'GET /crm/v3/owners';
const OWNER = 'GET /crm/v3/owners/:ownerId';

let world: World;
let server: SandboxServer;
let http: ResilientUpstreamClient;
let schema: GraphQLSchema;
const stores: CacheStore[] = [];
const clients: ResilientUpstreamClient[] = [];

function newCache(): ResourceCache {
  const store = createCacheStore({ maxEntries: 100_000, namespace: `test-${randomUUID()}` });
  stores.push(store);
  return store.scoped('crm', TOKEN, DEFAULT_CACHE_TTL_SECONDS);
}

function newClient(baseUrl: string, retries = 2): ResilientUpstreamClient {
  const client = createUpstreamClient({ profile: hubspotProfile, baseUrl, credential: TOKEN, retries, timeoutMs: 5_000 });
  clients.push(client);
  return client;
}

interface RunOptions {
  cache?: ResourceCache;
  client?: ResilientUpstreamClient;
  requestId?: string;
}

/** One GraphQL request: fresh loaders (as the context factory makes them), shared cache if given. */
async function run<T = Record<string, any>>(
  query: string,
  variables?: Record<string, unknown>,
  options: RunOptions = {},
): Promise<ExecutionResult<T>> {
  const requestId = options.requestId ?? randomUUID();
  const connector = createCrmConnector(options.client ?? http, { requestId });
  const crm = createCrmLoaders({ connector, cache: options.cache ?? newCache() });
  const contextValue = { requestId, loaders: { crm } } as unknown as GatewayContext;
  return (await graphql({ schema, source: query, variableValues: variables, contextValue })) as ExecutionResult<T>;
}

const calls = (route?: string) => server.requests.count(route);

beforeAll(async () => {
  world = createWorld({ size: 200 });
  server = new SandboxServer(createCrmEmulator(world, { token: TOKEN }));
  const url = await server.listen(0);
  http = newClient(url);
  schema = createCrmSchema();
});

beforeEach(() => server.requests.reset());

afterEach(async () => {
  await server.setKnobs({ corrupt: 'none', outage: 'none', rateLimitedUntil: 0 });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(stores.map((store) => store.close()));
  await server.close();
});

const W1_CRM = /* GraphQL */ `
  query W1Crm {
    contacts(first: 50) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        firstName
        lastName
        email
        lifecycleStage
        company {
          id
          name
          domain
        }
        owner {
          id
          email
          firstName
          lastName
        }
      }
    }
  }
`;

describe('the W1 contact list', () => {
  it('serves 50 contacts with companies and owners in 3 HubSpot calls: one list, one companies batch read, one owners page', async () => {
    const result = await run(W1_CRM);

    expect(result.errors).toBeUndefined();
    const nodes = result.data!.contacts.nodes as any[];
    expect(nodes).toHaveLength(50);
    expect(nodes.map((n) => n.id)).toEqual(world.contacts.slice(0, 50).map((c) => c.id));
    for (const node of nodes) {
      const seed = world.contacts.find((c) => c.id === node.id)!;
      expect(node.email).toBe(seed.email);
      expect(node.company?.id ?? null).toBe(seed.companyId);
      if (seed.companyId) expect(node.company.domain).toBe(world.companies.find((c) => c.id === seed.companyId)!.domain);
      expect(node.owner.id).toBe(seed.ownerId);
      expect(node.owner.email).toBe(world.owners.find((o) => o.id === seed.ownerId)!.email);
    }
    expect(result.data!.contacts.totalCount).toBeNull();
    expect(result.data!.contacts.pageInfo.hasNextPage).toBe(true);

    expect(calls(LIST)).toBe(1);
    expect(calls(BATCH_READ)).toBe(1);
    expect(calls(OWNERS)).toBe(1);
    expect(calls(ASSOCIATIONS)).toBe(0);
    expect(calls()).toBe(3);
  });

  it('answers an immediate warm repeat from the cache with zero HubSpot calls', async () => {
    const cache = newCache();
    const cold = await run(W1_CRM, undefined, { cache });
    server.requests.reset();

    const warm = await run(W1_CRM, undefined, { cache });

    expect(warm.errors).toBeUndefined();
    expect(warm.data).toEqual(cold.data);
    expect(calls()).toBe(0);
  });

  it('reads a contact alone with its company links inline: no association read', async () => {
    const withCompany = world.contacts.find((c) => c.companyId)!;
    const result = await run('query ($id: ID!) { contact(id: $id) { id email company { id domain } } }', { id: withCompany.id });

    expect(result.errors).toBeUndefined();
    expect(result.data!.contact).toEqual({
      id: withCompany.id,
      email: withCompany.email,
      company: { id: withCompany.companyId, domain: world.companies.find((c) => c.id === withCompany.companyId)!.domain },
    });
    expect(calls(GET_ONE)).toBe(1);
    expect(calls(BATCH_READ)).toBe(1); // the company record
    expect(calls(ASSOCIATIONS)).toBe(0);
    expect(calls()).toBe(2);

    server.requests.reset();
    const without = world.contacts.find((c) => !c.companyId)!;
    const alone = await run('query ($id: ID!) { contact(id: $id) { id company { id } } }', { id: without.id });
    expect(alone.data!.contact).toEqual({ id: without.id, company: null });
    expect(calls()).toBe(1);
  });

  it('primes the cache with listed contacts, so contact(id) afterwards costs nothing', async () => {
    const cache = newCache();
    await run('{ contacts(first: 10) { nodes { id } } }', undefined, { cache });
    server.requests.reset();

    const result = await run('query ($id: ID!) { contact(id: $id) { id email company { id } } }', { id: world.contacts[3].id }, { cache });

    expect(result.data!.contact.email).toBe(world.contacts[3].email);
    expect(result.data!.contact.company?.id ?? null).toBe(world.contacts[3].companyId);
    // The contact and its company link came with the list; only the company record is read.
    expect(calls()).toBe(world.contacts[3].companyId ? 1 : 0);
    expect(calls(BATCH_READ)).toBe(calls());
  });
});

describe('batching', () => {
  it('reads 50 contacts by id with one batch read, and 150 with two (HubSpot takes 100 per batch)', async () => {
    const fifty = world.contacts.slice(0, 50).map((c) => c.id);
    const result = await run('query ($ids: [ID!]!) { _contactsByIds(ids: $ids) { id email } }', { ids: fifty });
    expect((result.data!._contactsByIds as any[]).map((c) => c.id)).toEqual(fifty);
    expect(calls(BATCH_READ)).toBe(1);

    server.requests.reset();
    const many = world.contacts.slice(0, 150).map((c) => c.id);
    const more = await run('query ($ids: [ID!]!) { _contactsByIds(ids: $ids) { id } }', { ids: many });
    expect(more.data!._contactsByIds).toHaveLength(150);
    expect(calls(BATCH_READ)).toBe(2);
  });

  it('answers merge keys in key order with null for ids HubSpot does not have, and no error', async () => {
    const ids = [world.contacts[5].id, '99999999', world.contacts[1].id, 'not-a-number'];
    const result = await run('query ($ids: [ID!]!) { _contactsByIds(ids: $ids) { id } }', { ids });

    expect(result.errors).toBeUndefined();
    expect(result.data!._contactsByIds).toEqual([{ id: ids[0] }, null, { id: ids[2] }, null]);
    expect(calls(BATCH_READ)).toBe(1);
  });

  it('resolves companies, contacts and owners of 20 deals with one association read per link type', async () => {
    const result = await run(`{
      deals(first: 20) { nodes { id name amount stage company { id name } contacts { id } owner { id } } }
    }`);

    expect(result.errors).toBeUndefined();
    const nodes = result.data!.deals.nodes as any[];
    expect(nodes).toHaveLength(20);
    for (const node of nodes) {
      const seed = world.deals.find((d) => d.id === node.id)!;
      expect(node.amount).toBe(seed.amount);
      expect(node.company?.id ?? null).toBe(seed.companyId);
      expect((node.contacts as any[]).map((c) => c.id).sort()).toEqual([...seed.contactIds].sort());
      expect(node.owner.id).toBe(seed.ownerId);
    }
    expect(calls(LIST)).toBe(1);
    expect(calls(ASSOCIATIONS)).toBe(2); // deal→companies, deal→contacts
    expect(calls(BATCH_READ)).toBe(2); // companies, contacts
    expect(calls(OWNERS)).toBe(1);
    expect(calls()).toBe(6);
  });

  it('links a company to its contacts, contact ids and deals through associations', async () => {
    const company = world.companies[2];
    const result = await run(
      'query ($id: ID!) { company(id: $id) { id name contactIds contacts(first: 100) { id } deals(first: 100) { id } owner { id } } }',
      { id: company.id },
    );

    expect(result.errors).toBeUndefined();
    const data = result.data!.company;
    const members = world.contacts
      .filter((c) => c.companyId === company.id)
      .map((c) => c.id)
      .sort();
    expect([...data.contactIds].sort()).toEqual(members);
    expect((data.contacts as any[]).map((c) => c.id).sort()).toEqual(members);
    expect((data.deals as any[]).map((d) => d.id).sort()).toEqual(
      world.deals
        .filter((d) => d.companyId === company.id)
        .map((d) => d.id)
        .sort(),
    );
    expect(data.owner.id).toBe(company.ownerId);
  });
});

describe('lookups and NOT_FOUND', () => {
  it('reports NOT_FOUND at the path for a contact id HubSpot does not have, and caches the miss', async () => {
    const cache = newCache();
    const result = await run('{ contact(id: "99999999") { id } }', undefined, { cache });

    expect(result.data).toEqual({ contact: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].path).toEqual(['contact']);
    expect(result.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', service: 'crm' });
    expect(calls(GET_ONE)).toBe(1);
    expect(calls()).toBe(1);

    server.requests.reset();
    const again = await run('{ contact(id: "99999999") { id } }', undefined, { cache });
    expect(again.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(calls()).toBe(0);
  });

  it('reports NOT_FOUND for deals, companies and owners, without calling HubSpot for ids that cannot exist', async () => {
    const result = await run('{ deal(id: "abc") { id } company(id: "x1") { id } owner(id: "nope") { id } }');

    expect(result.data).toEqual({ deal: null, company: null, owner: null });
    expect(result.errors!.map((e) => e.extensions.code)).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND']);
    expect(calls(BATCH_READ)).toBe(0);
  });

  it('finds a contact by email case-insensitively with one batch read by email', async () => {
    const seed = world.contacts[7];
    const result = await run('query ($email: String!) { contactByEmail(email: $email) { id email } }', { email: seed.email.toUpperCase() });

    expect(result.data!.contactByEmail).toEqual({ id: seed.id, email: seed.email });
    expect(calls(BATCH_READ)).toBe(1);
    const none = await run('{ contactByEmail(email: "nobody@nowhere.example") { id } }');
    expect(none.data!.contactByEmail).toBeNull();
    expect(none.errors).toBeUndefined();
  });

  it('resolves a deactivated owner by id through HubSpot archived=true', async () => {
    const result = await run('{ owner(id: "49000001") { id email firstName lastName userId } }');

    expect(result.errors).toBeUndefined();
    expect(result.data!.owner).toMatchObject({ id: '49000001', lastName: 'Former', userId: null });
    expect(calls(OWNERS)).toBe(1);
    expect(calls(OWNER)).toBe(1);
  });
});

describe('cross-system links owned by the CRM', () => {
  it("finds billing customers' contacts by hubspot_contact_id with one batch read, else by email with one more", async () => {
    const byId = world.contacts.slice(0, 5);
    const byEmail = world.contacts.slice(5, 8);
    const keys = [
      ...byId.map((c, i) => ({ id: `cus_id${i}`, email: null, hubspotContactId: c.id })),
      ...byEmail.map((c, i) => ({ id: `cus_em${i}`, email: c.email.toUpperCase(), hubspotContactId: null })),
      { id: 'cus_orphan', email: 'guest@selfserve.example', hubspotContactId: null },
    ];
    const result = await run('query ($keys: [CustomerKeyInput!]!) { _crmCustomers(keys: $keys) { id contact { id } } }', { keys });

    expect(result.errors).toBeUndefined();
    expect((result.data!._crmCustomers as any[]).map((c) => c.contact?.id ?? null)).toEqual([
      ...byId.map((c) => c.id),
      ...byEmail.map((c) => c.id),
      null,
    ]);
    expect(calls(BATCH_READ)).toBe(2);
  });

  it('links chat users to owners by email, case-insensitively, from one owners page', async () => {
    const owner = world.owners[1];
    const keys = [
      { id: 'U1', email: owner.email.toUpperCase() },
      { id: 'U2', email: 'someone.else@switchboard-demo.example' },
      { id: 'U3', email: null },
    ];
    const result = await run('query ($keys: [ChatUserKeyInput!]!) { _crmChatUsers(keys: $keys) { id owner { id } } }', { keys });

    expect(result.data!._crmChatUsers).toEqual([
      { id: 'U1', owner: { id: owner.id } },
      { id: 'U2', owner: null },
      { id: 'U3', owner: null },
    ]);
    expect(calls()).toBe(1);
    expect(calls(OWNERS)).toBe(1);
  });

  it('declares merge config for every type it owns or extends', () => {
    const subschema = createCrmSubschema();
    expect(Object.keys(subschema.merge ?? {}).sort()).toEqual(['ChatUser', 'Company', 'Contact', 'Customer', 'Deal', 'Owner']);
    expect(subschema.merge!.Customer.selectionSet).toBe('{ id email hubspotContactId }');
    expect(subschema.merge!.Customer.key!({ id: 'cus_1', email: 'a@x.io' })).toEqual({
      id: 'cus_1',
      email: 'a@x.io',
      hubspotContactId: null,
    });
    expect(subschema.merge!.Contact.argsFromKeys!(['1', '2'])).toEqual({ ids: ['1', '2'] });
  });
});

describe('paging', () => {
  it('pages through every contact to the end with list cursors, one list call per page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: ExecutionResult<any> = await run(
        'query ($after: String) { contacts(first: 30, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      expect(result.errors).toBeUndefined();
      pages++;
      seen.push(...result.data!.contacts.nodes.map((n: { id: string }) => n.id));
      if (!result.data!.contacts.pageInfo.hasNextPage) break;
      after = result.data!.contacts.pageInfo.endCursor;
    }
    expect(seen).toEqual(world.contacts.map((c) => c.id));
    expect(pages).toBe(Math.ceil(world.contacts.length / 30));
    expect(calls(LIST)).toBe(pages);
  });

  it("continues after an edge's own cursor in the middle of a page", async () => {
    const first = await run('{ contacts(first: 10) { edges { cursor node { id } } } }');
    const cursor = first.data!.contacts.edges[3].cursor;

    const next = await run('query ($after: String) { contacts(first: 5, after: $after) { nodes { id } } }', { after: cursor });

    expect(next.data!.contacts.nodes.map((n: { id: string }) => n.id)).toEqual(world.contacts.slice(4, 9).map((c) => c.id));
  });

  it('pages a filtered list to the end through search, with totalCount from HubSpot', async () => {
    const expected = world.contacts.filter((c) => c.lifecycleStage === 'customer').map((c) => c.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: ExecutionResult<any> = await run(
        'query ($after: String) { contacts(first: 7, after: $after, filter: { lifecycleStage: CUSTOMER }) { totalCount nodes { id lifecycleStage } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.contacts.totalCount).toBe(expected.length);
      for (const node of result.data!.contacts.nodes) expect(node.lifecycleStage).toBe('CUSTOMER');
      seen.push(...result.data!.contacts.nodes.map((n: { id: string }) => n.id));
      if (!result.data!.contacts.pageInfo.hasNextPage) break;
      after = result.data!.contacts.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(calls(SEARCH)).toBe(Math.ceil(expected.length / 7));
  });

  it('pages owners from the cached directory with exact totals', async () => {
    const first = await run('{ owners(first: 2) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }');
    const after = first.data!.owners.pageInfo.endCursor;
    const rest = await run('query ($after: String) { owners(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage } } }', {
      after,
    });

    expect(first.data!.owners.totalCount).toBe(world.owners.length);
    expect([...first.data!.owners.nodes, ...rest.data!.owners.nodes].map((o: { id: string }) => o.id)).toEqual(
      world.owners.map((o) => o.id),
    );
    expect(rest.data!.owners.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses first above 100 and foreign cursors as BAD_USER_INPUT before calling HubSpot', async () => {
    const result = await run('{ contacts(first: 101) { nodes { id } } }');
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const cursor = await run('{ contacts(after: "bm9wZQ") { nodes { id } } }');
    expect(cursor.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(calls()).toBe(0);
  });
});

describe('filters', () => {
  it('maps email to an EQ search, case-insensitively', async () => {
    const seed = world.contacts[12];
    const result = await run('query ($email: String) { contacts(filter: { email: $email }) { totalCount nodes { id } } }', {
      email: seed.email.toUpperCase(),
    });

    expect(result.data!.contacts).toEqual({ totalCount: 1, nodes: [{ id: seed.id }] });
    expect(calls(SEARCH)).toBe(1);
  });

  it('maps name to the free-text search query', async () => {
    const seed = world.contacts[0];
    const result = await run(
      'query ($name: String) { contacts(first: 100, filter: { name: $name }) { nodes { id firstName lastName } } }',
      { name: seed.lastName },
    );

    const nodes = result.data!.contacts.nodes as any[];
    expect(nodes.map((n) => n.id)).toContain(seed.id);
    for (const node of nodes)
      expect(`${node.firstName} ${node.lastName}`.toLowerCase()).toContain(seed.lastName.toLowerCase().split(/\s+/)[0]);
  });

  it("lists a company's contacts through its associations, and searches within them with other conditions", async () => {
    const company = world.companies[0];
    const members = world.contacts.filter((c) => c.companyId === company.id);
    const alone = await run('query ($id: ID) { contacts(first: 100, filter: { companyId: $id }) { totalCount nodes { id } } }', {
      id: company.id,
    });
    expect(alone.data!.contacts.totalCount).toBe(members.length);
    expect(alone.data!.contacts.nodes.map((n: { id: string }) => n.id).sort()).toEqual(members.map((c) => c.id).sort());
    expect(calls(ASSOCIATIONS)).toBe(1);
    expect(calls(SEARCH)).toBe(0);

    const stage = members[0].lifecycleStage;
    const enumValue =
      { marketingqualifiedlead: 'MARKETING_QUALIFIED_LEAD', salesqualifiedlead: 'SALES_QUALIFIED_LEAD' }[stage] ?? stage.toUpperCase();
    const combined = await run(
      `query ($id: ID) { contacts(first: 100, filter: { companyId: $id, lifecycleStage: ${enumValue} }) { totalCount nodes { id } } }`,
      { id: company.id },
    );
    expect(combined.errors).toBeUndefined();
    expect(combined.data!.contacts.nodes.map((n: { id: string }) => n.id).sort()).toEqual(
      members
        .filter((c) => c.lifecycleStage === stage)
        .map((c) => c.id)
        .sort(),
    );
    expect(calls(SEARCH)).toBe(1);
  });

  it('maps OTHER to "not one of the named stages", which includes HubSpot\'s own other stage', async () => {
    const expected = world.contacts.filter((c) => c.lifecycleStage === 'other').map((c) => c.id);
    const result = await run(
      '{ contacts(first: 100, filter: { lifecycleStage: OTHER }) { totalCount nodes { id lifecycleStage lifecycleStageRaw } } }',
    );

    expect(result.data!.contacts.totalCount).toBe(expected.length);
    for (const node of result.data!.contacts.nodes) expect(node).toMatchObject({ lifecycleStage: 'OTHER', lifecycleStageRaw: 'other' });
  });

  it('maps deal stage, owner and close-date range to search filters', async () => {
    const owner = world.deals[0].ownerId;
    const from = new Date(world.now - 365 * 86_400_000);
    const to = new Date(world.now);
    const expected = world.deals
      .filter((d) => d.stage === 'closedwon' && d.ownerId === owner && d.closeDate >= from.getTime() && d.closeDate <= to.getTime())
      .map((d) => d.id);
    const result = await run(
      'query ($owner: ID, $from: DateTime, $to: DateTime) { deals(first: 100, filter: { stage: CLOSED_WON, ownerId: $owner, closeDateFrom: $from, closeDateTo: $to }) { totalCount nodes { id stage closeDate } } }',
      { owner, from: from.toISOString(), to: to.toISOString() },
    );

    expect(result.errors).toBeUndefined();
    expect(result.data!.deals.totalCount).toBe(expected.length);
    expect(result.data!.deals.nodes.map((n: { id: string }) => n.id)).toEqual(expected);
    expect(calls(SEARCH)).toBe(1);
  });

  it('maps company name to a token search and domain to an exact match', async () => {
    const company = world.companies[4];
    const byDomain = await run('query ($d: String) { companies(filter: { domain: $d }) { nodes { id } } }', {
      d: company.domain.toUpperCase(),
    });
    expect(byDomain.data!.companies.nodes).toEqual([{ id: company.id }]);

    const word = company.name.split(' ')[0];
    const byName = await run('query ($n: String) { companies(first: 100, filter: { name: $n }) { nodes { id name } } }', { n: word });
    const names = (byName.data!.companies.nodes as any[]).map((c) => c.name);
    expect(names).toContain(company.name);
    for (const name of names) expect(name.toLowerCase().split(' ')).toContain(word.toLowerCase());
  });

  it("serves an owner's contacts through a search on hubspot_owner_id", async () => {
    const owner = world.owners[0];
    const expected = world.contacts.filter((c) => c.ownerId === owner.id);
    const result = await run('query ($id: ID!) { owner(id: $id) { contacts(first: 5) { totalCount nodes { id owner { id } } } } }', {
      id: owner.id,
    });

    expect(result.data!.owner.contacts.totalCount).toBe(expected.length);
    for (const node of result.data!.owner.contacts.nodes) expect(node.owner.id).toBe(owner.id);
  });
});

describe('upstream failures', () => {
  it('turns a response missing a field into UPSTREAM_BAD_RESPONSE naming the resource and path, not the body', async () => {
    await server.setKnobs({ corrupt: 'drop-field' });
    const [a, b] = world.contacts;
    const result = await run('query ($a: ID!, $b: ID!) { a: contact(id: $a) { id email } b: contact(id: $b) { id email } }', {
      a: a.id,
      b: b.id,
    });

    expect(result.data).toEqual({ a: null, b: null });
    const error = result.errors![0];
    expect(error.extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', service: 'crm' });
    expect(error.message).toContain('contact batch read');
    expect(error.message).toContain('results[0].id');
    expect(error.message).not.toContain(a.email);

    // A contact read alone takes the single GET; its corrupt answer is named as such.
    const alone = await run('query ($id: ID!) { contact(id: $id) { id email } }', { id: a.id });
    expect(alone.data).toEqual({ contact: null });
    expect(alone.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', service: 'crm' });
    expect(alone.errors![0].message).toContain('contact read');
    expect(alone.errors![0].message).not.toContain(a.email);
  });

  it('turns a refused connection into UPSTREAM_UNAVAILABLE for the CRM fields only', async () => {
    const client = newClient(server.url, 1);
    await server.setKnobs({ outage: 'refuse' });
    const result = await run('{ contacts(first: 5) { nodes { id } } }', undefined, { client });

    expect(result.data).toEqual({ contacts: null });
    expect(result.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'crm' });
    expect(result.errors![0].path).toEqual(['contacts']);
  });

  it("surfaces HubSpot's rolling-window 429 as RATE_LIMITED with the 10 s window as retryAfter", async () => {
    await server.setKnobs({ rateLimitForMs: 60_000 });
    const result = await run('{ contact(id: "10000001") { id } }');

    expect(result.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'crm', retryAfter: 10 });
    expect(calls()).toBe(1); // a 10 s wait is past the client's retry budget: no retry
  });
});

/** A HubSpot stand-in for what the emulator will not serve: values HubSpot added later. */
describe('against a minimal HubSpot stand-in', () => {
  let fake: Server;
  let fakeUrl: string;
  const received: { url: string; headers: IncomingMessage['headers'] }[] = [];

  const record = (id: string, properties: Record<string, string | null>) => ({
    id,
    properties: { hs_object_id: id, ...properties },
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-02-03T04:05:06.000Z',
    archived: false,
  });

  beforeAll(async () => {
    fake = createServer((req: IncomingMessage, res: ServerResponse) => {
      received.push({ url: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => {
        const body = req.url?.startsWith('/crm/v3/objects/contacts/42?')
          ? {
              ...record('42', { email: 'new@stage.example', lifecyclestage: 'brand_new_stage', firstname: 'Nova', futureprop: 'x' }),
              brandNewField: true,
            }
          : req.url === '/crm/v3/objects/deals/batch/read'
            ? {
                status: 'COMPLETE',
                results: [record('77', { dealname: 'Custom', dealstage: '123456789', amount: '1250.5', closedate: '1767225600000' })],
              }
            : { status: 'error', message: 'not here' };
        res.writeHead(body.status === 'error' ? 404 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    fake.closeAllConnections();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  });

  it('maps lifecycle and deal stages HubSpot added later to OTHER, exposing the raw value, and tolerates unknown fields', async () => {
    const client = newClient(fakeUrl);
    const result = await run(
      '{ contact(id: "42") { firstName lifecycleStage lifecycleStageRaw } deal(id: "77") { stage stageRaw amount closeDate } }',
      undefined,
      { client },
    );

    expect(result.errors).toBeUndefined();
    expect(result.data!.contact).toEqual({ firstName: 'Nova', lifecycleStage: 'OTHER', lifecycleStageRaw: 'brand_new_stage' });
    expect(result.data!.deal).toEqual({ stage: 'OTHER', stageRaw: '123456789', amount: 1250.5, closeDate: '2026-01-01T00:00:00.000Z' });
  });

  it('sends the request id upstream as x-request-id', async () => {
    received.length = 0;
    const client = newClient(fakeUrl);
    await run('{ contact(id: "42") { id } }', undefined, { client, requestId: 'req-crm-123' });

    expect(received).toHaveLength(1);
    expect(received[0].headers['x-request-id']).toBe('req-crm-123');
    expect(received[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe('HubSpot error classification', () => {
  const response = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers, body });

  it('names invalid properties from the error details, never the vendor message that echoes values', () => {
    const error = classifyHubSpotResponse(
      response(400, {
        status: 'error',
        message: 'Property values were not valid: [{"message":"secret@x.io is not valid"}]',
        category: 'VALIDATION_ERROR',
        errors: [{ message: 'secret@x.io is not valid', code: 'INVALID_EMAIL', context: { propertyName: ['email'] } }],
      }),
    )!;
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.fields).toEqual({ email: 'invalid email' });
    expect(error.message).not.toContain('secret@x.io');
  });

  it('maps auth, conflict, not-found, lock and server statuses to gateway codes', () => {
    expect(classifyHubSpotResponse(response(401, { category: 'INVALID_AUTHENTICATION' }))!.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(classifyHubSpotResponse(response(403, { category: 'MISSING_SCOPES' }))!.message).toContain('scope');
    const conflict = classifyHubSpotResponse(response(409, { message: 'Contact already exists. Existing ID: 512' }))!;
    expect(conflict.code).toBe('UPSTREAM_CONFLICT');
    expect(conflict.message).toContain('512');
    expect(classifyHubSpotResponse(response(404, {}))!.code).toBe('NOT_FOUND');
    expect(classifyHubSpotResponse(response(423, {}))!).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 2 });
    expect(classifyHubSpotResponse(response(503, {}))!.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(classifyHubSpotResponse(response(477, {}, { 'retry-after': '30' }))!).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryAfter: 30,
    });
    expect(classifyHubSpotResponse(response(207, { status: 'COMPLETE' }))).toBeNull();
  });

  it('waits per HubSpot policy: Retry-After first, then 1 s for SECONDLY, the interval header or 10 s for the rolling window', () => {
    const wait = hubspotProfile.retryAfterMs!;
    expect(wait(response(429, { policyName: 'TEN_SECONDLY_ROLLING' }, { 'retry-after': '3' }))).toBe(3_000);
    expect(wait(response(429, { policyName: 'SECONDLY', message: 'You have reached your secondly limit.' }))).toBe(1_000);
    expect(wait(response(429, { policyName: 'TEN_SECONDLY_ROLLING' }, { 'x-hubspot-ratelimit-interval-milliseconds': '10000' }))).toBe(
      10_000,
    );
    expect(wait(response(429, { policyName: 'TEN_SECONDLY_ROLLING' }))).toBe(10_000);
    expect(wait(response(429, { policyName: 'DAILY' }))).toBeGreaterThan(0);
    expect(wait(response(500, {}))).toBeUndefined();
  });
});
