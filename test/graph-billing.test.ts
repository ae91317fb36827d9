/**
 * The billing subschema end to end: GraphQL operations against the executable billing
 * schema, with real loaders, the real Stripe connector and the upstream HTTP layer, talking
 * to the Stripe emulator over HTTP. Asserts on answers, on error codes, and on how many
 * Stripe requests each operation cost (the sandbox's request log).
 *
 * A last group runs the connector against a tiny local HTTP server, for wire details the
 * emulator's log does not show (headers, query encoding) and for answers it never gives.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCacheStore, type CacheStore } from '../src/cache/store.ts';
import type { ResourceCache } from '../src/cache/types.ts';
import { DEFAULT_CACHE_TTL_SECONDS } from '../src/config.ts';
import { createBillingConnector, createBillingLoaders, stripeProfile } from '../src/systems/billing/index.ts';
import type { GatewayContext } from '../src/context.ts';
import { type Sandbox, SANDBOX_CREDENTIALS, type SeedContact, type SeedCustomer, startSandbox } from '@switchboard/sandbox';
import { createUpstreamClient, type ResilientUpstreamClient } from '../src/upstream/client.ts';
import { createBillingSchema } from '../resolvers/billing/index.ts';
import { formatMoney } from '../resolvers/money.ts';

// @graphql-tools runs outside vitest's transform and so loads graphql's CommonJS build;
// executing with the ESM build vitest would give us is refused as "another realm".
const { graphql } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

const CREDENTIAL = SANDBOX_CREDENTIALS.billing;
const SEARCH_CUSTOMERS = 'GET /v1/customers/search';
const SEARCH_INVOICES = 'GET /v1/invoices/search';
const GET_CUSTOMER = 'GET /v1/customers/:id';

let sandbox: Sandbox;
let upstream: ResilientUpstreamClient;
let schema: GraphQLSchema;
const stores: CacheStore[] = [];
const clients: ResilientUpstreamClient[] = [];

function newCache(): ResourceCache {
  const store = createCacheStore({ maxEntries: 100_000, namespace: `test-billing-${randomUUID()}` });
  stores.push(store);
  return store.scoped('billing', CREDENTIAL, DEFAULT_CACHE_TTL_SECONDS);
}

function stripeClient(baseUrl: string, options: { retries?: number; credential?: string } = {}): ResilientUpstreamClient {
  const client = createUpstreamClient({
    profile: stripeProfile,
    baseUrl,
    credential: options.credential ?? CREDENTIAL,
    retries: options.retries ?? 2,
    timeoutMs: 5_000,
  });
  clients.push(client);
  return client;
}

/** One GraphQL request: fresh loaders (as the gateway makes per request) over the given cache. */
async function run(
  source: string,
  variableValues: Record<string, unknown> = {},
  options: { cache?: ResourceCache; client?: ResilientUpstreamClient } = {},
): Promise<ExecutionResult> {
  const connector = createBillingConnector(options.client ?? upstream);
  const requestId = randomUUID();
  const billing = createBillingLoaders({ connector, cache: options.cache ?? newCache(), requestId });
  // Only the billing loaders exist here: the billing schema never touches the others.
  const contextValue = { requestId, loaders: { billing } } as unknown as GatewayContext;
  return graphql({ schema, source, variableValues, contextValue });
}

type Data = Record<string, any>;
const dataOf = (result: ExecutionResult): Data => {
  expect(result.errors).toBeUndefined();
  return result.data as Data;
};
const codes = (result: ExecutionResult) => (result.errors ?? []).map((error) => error.extensions?.code);

const log = () => sandbox.server('billing').requests;

/** Changes a record as a Dashboard user would (the emulator's admin API). */
async function editStripe(edit: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandbox.urls.billing}/__sandbox/edit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(edit),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** The link rule, computed from the seed world (the emulator writes `hubspot_contact_id` for linkedByMetadata). */
function expectedCustomerId(contact: SeedContact): string | null {
  const newest = (list: SeedCustomer[]) => [...list].sort((a, b) => b.created - a.created)[0];
  const byMetadata = sandbox.world.customers.filter((c) => c.linkedByMetadata && c.contactId === contact.id);
  if (byMetadata.length > 0) return newest(byMetadata).id;
  const byEmail = sandbox.world.customers.filter((c) => c.email.toLowerCase() === contact.email.toLowerCase());
  const only = byEmail.length === 1 ? byEmail[0] : undefined;
  return only && (!only.linkedByMetadata || only.contactId === contact.id) ? only.id : null;
}

beforeAll(async () => {
  sandbox = await startSandbox({ systems: ['billing'], world: { size: 200 } });
  upstream = stripeClient(sandbox.urls.billing!);
  schema = createBillingSchema();
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(stores.map((store) => store.close()));
  await sandbox?.close();
});

beforeEach(() => log().reset());

const CONTACT_LINKS = /* GraphQL */ `
  query ContactLinks($keys: [ContactKeyInput!]!) {
    _billingContacts(keys: $keys) {
      id
      email
      billingCustomer {
        id
        email
        name
        hubspotContactId
        invoices(status: OPEN) {
          id
          number
          status
          statusRaw
          amountDue {
            amount
            currency
            formatted
          }
          dueDate
        }
      }
    }
  }
`;

describe('contact → billing customer links', () => {
  const firstPage = () => sandbox.world.contacts.slice(0, 50);
  const keysOf = (contacts: SeedContact[]) => contacts.map((c) => ({ id: c.id, email: c.email }));

  it('links a page of 50 contacts with 5 metadata searches, 1 email search and 4 invoice searches', async () => {
    const contacts = firstPage();
    const data = dataOf(await run(CONTACT_LINKS, { keys: keysOf(contacts) }));

    const unresolvedByMetadata = contacts.filter(
      (c) => !sandbox.world.customers.some((cu) => cu.linkedByMetadata && cu.contactId === c.id),
    ).length;
    const linked = contacts.filter((c) => expectedCustomerId(c) !== null).length;
    // 50 metadata clauses, ten per search; then one email clause per unresolved contact, ten per search.
    expect(log().count(SEARCH_CUSTOMERS)).toBe(5 + Math.ceil(unresolvedByMetadata / 10));
    // One `customer:` clause per linked customer, ten per search; all statuses, one page each.
    expect(log().count(SEARCH_INVOICES)).toBe(Math.ceil(linked / 10));
    expect(log().total).toBe(log().count(SEARCH_CUSTOMERS) + log().count(SEARCH_INVOICES));
    expect(log().count(SEARCH_CUSTOMERS) + log().count(SEARCH_INVOICES)).toBe(10);

    const rows = data._billingContacts as Data[];
    expect(rows.map((row) => row.id)).toEqual(contacts.map((c) => c.id));
    rows.forEach((row, index) => expect(row.billingCustomer?.id ?? null).toBe(expectedCustomerId(contacts[index])));
    expect(linked).toBe(40);
  });

  describe('link rule edge cases (edits the emulator, then reseeds it)', () => {
    // The rule is under test here, not Stripe's indexing delay: edits must be searchable at once.
    beforeEach(async () => {
      await sandbox.server('billing').setKnobs({ searchLagMs: 0 });
    });
    afterEach(async () => {
      await sandbox.server('billing').resetAll();
    });

    const linkOf = async (contact: SeedContact) =>
      (dataOf(await run(CONTACT_LINKS, { keys: keysOf([contact]) }))._billingContacts[0].billingCustomer?.id ?? null) as string | null;
    const contactOf = (customer: SeedCustomer) => sandbox.world.contacts.find((k) => k.id === customer.contactId)!;
    const guests = () => sandbox.world.customers.filter((c) => c.email.includes('.guest'));

    it('links by an email in other case only while exactly one customer has it and it names no other contact', async () => {
      const emailOnly = sandbox.world.customers.find((c) => c.contactId && !c.linkedByMetadata && c.email !== contactOf(c).email)!;
      const contact = contactOf(emailOnly);
      const [guest] = guests();
      expect(await linkOf(contact)).toBe(emailOnly.id);

      // A second customer with that email (any case) makes the email ambiguous.
      await editStripe({ object: 'customer', id: guest.id, set: { email: contact.email.toUpperCase() } });
      expect(await linkOf(contact)).toBeNull();

      // Unique again, but the customer's metadata now names a different contact.
      await editStripe({ object: 'customer', id: guest.id, set: { email: guest.email } });
      expect(await linkOf(contact)).toBe(emailOnly.id);
      await editStripe({ object: 'customer', id: emailOnly.id, set: { metadata: { hubspot_contact_id: '19999999' } } });
      expect(await linkOf(contact)).toBeNull();
    });

    it('prefers the most recently created of several customers naming the contact in metadata', async () => {
      const contact = sandbox.world.contacts.find((k) => sandbox.world.customers.some((c) => c.linkedByMetadata && c.contactId === k.id))!;
      const [a, b] = guests();
      for (const guest of [a, b])
        await editStripe({ object: 'customer', id: guest.id, set: { metadata: { hubspot_contact_id: contact.id } } });
      const named = sandbox.world.customers.filter((c) => (c.linkedByMetadata && c.contactId === contact.id) || c === a || c === b);

      expect(await linkOf(contact)).toBe([...named].sort((x, y) => y.created - x.created)[0].id);
    });
  });

  it('answers a warm repeat from the cache with zero Stripe requests', async () => {
    const cache = newCache();
    const keys = keysOf(firstPage());
    const cold = dataOf(await run(CONTACT_LINKS, { keys }, { cache }));
    log().reset();

    const warm = dataOf(await run(CONTACT_LINKS, { keys }, { cache }));

    expect(log().total).toBe(0);
    expect(warm).toEqual(cold);
  });

  it('filters a contact’s invoices by status in the gateway from one fetch of all statuses', async () => {
    const contact = firstPage().find((c) => expectedCustomerId(c) !== null)!;
    const cache = newCache();
    const query = /* GraphQL */ `
      query ($keys: [ContactKeyInput!]!) {
        _billingContacts(keys: $keys) {
          all: invoices {
            id
            status
          }
          paid: invoices(status: PAID) {
            id
            status
          }
          subscriptions {
            id
            status
            statusRaw
            customer {
              id
            }
          }
        }
      }
    `;
    const data = dataOf(await run(query, { keys: [{ id: contact.id, email: contact.email }] }, { cache }));

    const row = data._billingContacts[0];
    expect(row.paid).toEqual(row.all.filter((invoice: Data) => invoice.status === 'PAID'));
    expect(log().count(SEARCH_INVOICES)).toBe(1);
    expect(log().count('GET /v1/subscriptions')).toBe(1);
    for (const subscription of row.subscriptions) expect(subscription.customer.id).toBe(expectedCustomerId(contact));
  });

  it('lists a company’s customers linked by metadata to any of its contacts', async () => {
    const { contacts, companies, customers } = sandbox.world;
    const company = companies.find((co) => contacts.filter((c) => c.companyId === co.id).length >= 3)!;
    const contactIds = contacts.filter((c) => c.companyId === company.id).map((c) => c.id);
    const data = dataOf(
      await run(`query ($keys: [CompanyKeyInput!]!) { _billingCompanies(keys: $keys) { id billingCustomers { id hubspotContactId } } }`, {
        keys: [{ id: company.id, contactIds }],
      }),
    );

    const expected = customers.filter((c) => c.linkedByMetadata && c.contactId && contactIds.includes(c.contactId)).map((c) => c.id);
    const got = data._billingCompanies[0].billingCustomers as Data[];
    expect(got.map((c) => c.id).sort()).toEqual([...expected].sort());
    for (const c of got) expect(contactIds).toContain(c.hubspotContactId);
    expect(log().count(SEARCH_CUSTOMERS)).toBe(Math.ceil(contactIds.length / 10));
  });
});

describe('records by id', () => {
  it('reads 12 customers with one GET each, once per distinct id, in key order', async () => {
    const ids = sandbox.world.customers.slice(0, 12).map((c) => c.id);
    const data = dataOf(
      await run(`query ($ids: [ID!]!) { _customersByIds(ids: $ids) { id email } }`, {
        ids: [...ids, ...ids.slice(0, 4), 'cus_missing000000'],
      }),
    );

    expect(data._customersByIds.map((c: Data | null) => c?.id ?? null)).toEqual([...ids, ...ids.slice(0, 4), null]);
    expect(log().count(GET_CUSTOMER)).toBe(13);
  });

  it('answers NOT_FOUND at the path for an unknown customer id, and caches the miss', async () => {
    const cache = newCache();
    const query = `{ customer(id: "cus_doesnotexist00") { id } }`;
    const result = await run(query, {}, { cache });

    expect(result.data).toEqual({ customer: null });
    expect(result.errors?.[0].path).toEqual(['customer']);
    expect(codes(result)).toEqual(['NOT_FOUND']);
    expect(result.errors?.[0].extensions?.service).toBe('billing');

    log().reset();
    const again = await run(query, {}, { cache });
    expect(codes(again)).toEqual(['NOT_FOUND']);
    expect(log().total).toBe(0);
  });

  it('follows an invoice to its customer, lines and subscription', async () => {
    const page = dataOf(await run(`{ invoices(first: 20, filter: { status: PAID }) { nodes { id } } }`));
    const id = page.invoices.nodes[0].id as string;
    const data = dataOf(
      await run(
        `query ($id: ID!) {
        invoice(id: $id) {
          id number status statusRaw currency createdAt periodStart periodEnd hostedInvoiceUrl hasMoreLines
          total { amount currency formatted } amountPaid { amount }
          customer { id } lines { id description quantity priceId amount { amount currency formatted } period { start end } }
          subscription { id status items { id priceId quantity interval unitAmount { formatted } } }
        }
      }`,
        { id },
      ),
    );
    const invoice = data.invoice;
    expect(invoice.id).toBe(id);
    expect(invoice.status).toBe('PAID');
    expect(invoice.statusRaw).toBe('paid');
    expect(invoice.total.formatted).toBe(formatMoney(invoice.total.amount, invoice.total.currency));
    expect(invoice.customer.id).toMatch(/^cus_/);
    expect(invoice.lines.length).toBeGreaterThan(0);
  });
});

describe('connections', () => {
  it('pages through every customer to the end with one list call per page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const data = dataOf(
        await run(
          `query ($after: String) { customers(first: 100, after: $after) { edges { cursor node { id } } nodes { id } pageInfo { hasNextPage endCursor } totalCount } }`,
          { after },
        ),
      );
      const connection = data.customers;
      pages++;
      seen.push(...connection.nodes.map((n: Data) => n.id));
      expect(connection.edges.map((e: Data) => e.node.id)).toEqual(connection.nodes.map((n: Data) => n.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(sandbox.world.customers.map((c) => c.id).sort());
    expect(log().count('GET /v1/customers')).toBe(pages);
    expect(pages).toBe(Math.ceil(sandbox.world.customers.length / 100));
  });

  it('pages invoices of one customer with small pages and no overlap', async () => {
    const customerId = sandbox.world.customers[0].id;
    const all = dataOf(await run(`query ($c: ID!) { customer(id: $c) { invoices { id } } }`, { c: customerId })).customer.invoices.map(
      (i: Data) => i.id,
    );
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const data = dataOf(
        await run(
          `query ($c: ID!, $after: String) { invoices(first: 2, after: $after, filter: { customerId: $c }) { nodes { id customer { id } } pageInfo { hasNextPage endCursor } } }`,
          { c: customerId, after },
        ),
      );
      seen.push(...data.invoices.nodes.map((n: Data) => n.id));
      for (const n of data.invoices.nodes) expect(n.customer.id).toBe(customerId);
      after = data.invoices.pageInfo.hasNextPage ? data.invoices.pageInfo.endCursor : null;
    } while (after);
    expect(seen.sort()).toEqual([...all].sort());
  });

  it('rejects first above 100 and a foreign cursor with BAD_USER_INPUT before calling Stripe', async () => {
    const tooMany = await run(`{ customers(first: 101) { nodes { id } } }`);
    const badCursor = await run(`{ invoices(after: "not-a-cursor") { nodes { id } } }`);
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(codes(badCursor)).toEqual(['BAD_USER_INPUT']);
    expect(log().total).toBe(0);
  });

  it('maps filters onto Stripe list filters: invoice status, customer and created range', async () => {
    const customer = sandbox.world.customers[1];
    const all = dataOf(await run(`query ($c: ID!) { customer(id: $c) { invoices { id status createdAt } } }`, { c: customer.id })).customer
      .invoices as Data[];
    const open = all.filter((i) => i.status === 'OPEN').map((i) => i.id);
    const filtered = dataOf(
      await run(`query ($c: ID!) { invoices(first: 100, filter: { customerId: $c, status: OPEN }) { nodes { id status } } }`, {
        c: customer.id,
      }),
    );
    expect(filtered.invoices.nodes.map((n: Data) => n.id).sort()).toEqual(open.sort());

    const times = all.map((i) => Date.parse(i.createdAt)).sort((a, b) => a - b);
    const from = new Date(times[Math.floor(times.length / 2)]).toISOString();
    const ranged = dataOf(
      await run(
        `query ($c: ID!, $from: DateTime) { invoices(first: 100, filter: { customerId: $c, createdFrom: $from }) { nodes { id createdAt } } }`,
        { c: customer.id, from },
      ),
    );
    expect(ranged.invoices.nodes.length).toBe(all.filter((i) => Date.parse(i.createdAt) >= Date.parse(from)).length);
    for (const n of ranged.invoices.nodes) expect(Date.parse(n.createdAt)).toBeGreaterThanOrEqual(Date.parse(from));

    const upTo = new Date(times[0]).toISOString();
    const before = dataOf(
      await run(`query ($c: ID!, $to: DateTime) { invoices(first: 100, filter: { customerId: $c, createdTo: $to }) { nodes { id } } }`, {
        c: customer.id,
        to: upTo,
      }),
    );
    expect(before.invoices.nodes.length).toBe(all.filter((i) => Date.parse(i.createdAt) <= Date.parse(upTo)).length);
  });

  it('filters customers by email and subscriptions/charges by customer', async () => {
    const customer = sandbox.world.customers[2];
    const byEmail = dataOf(
      await run(`query ($e: String) { customers(filter: { email: $e }) { nodes { id email } } }`, { e: customer.email }),
    );
    expect(byEmail.customers.nodes.map((n: Data) => n.email)).toEqual(
      sandbox.world.customers.filter((c) => c.email === customer.email).map((c) => c.email),
    );

    const subs = dataOf(await run(`{ subscriptions(first: 100, filter: { status: ACTIVE }) { nodes { id status customer { id } } } }`));
    for (const s of subs.subscriptions.nodes) expect(s.status).toBe('ACTIVE');

    const withCharges = dataOf(
      await run(`query ($c: ID!) { customer(id: $c) { charges { id } } }`, { c: customer.id }),
    ).customer.charges.map((c: Data) => c.id);
    const listed = dataOf(
      await run(
        `query ($c: ID!) { charges(first: 100, filter: { customerId: $c }) { nodes { id customer { id } amount { formatted } } } }`,
        { c: customer.id },
      ),
    );
    expect(listed.charges.nodes.map((n: Data) => n.id).sort()).toEqual([...withCharges].sort());
  });

  it('refuses OTHER as a status filter', async () => {
    const result = await run(`{ invoices(filter: { status: OTHER }) { nodes { id } } }`);
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(log().total).toBe(0);
  });
});

describe('when Stripe misbehaves', () => {
  afterEach(async () => {
    await sandbox.server('billing').setKnobs({ corrupt: 'none', outage: 'none', rateLimitedUntil: 0 });
  });

  it('reports UPSTREAM_BAD_RESPONSE naming the resource and the missing field', async () => {
    await sandbox.server('billing').setKnobs({ corrupt: 'drop-field' });
    const result = await run(`query ($id: ID!) { customer(id: $id) { id } }`, { id: sandbox.world.customers[0].id });

    expect(codes(result)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    expect(result.errors?.[0].message).toMatch(/customer .*\bid\b/);
    expect(result.errors?.[0].message).not.toContain(sandbox.world.customers[0].email);
  });

  it('reports UPSTREAM_UNAVAILABLE at the field when Stripe refuses connections', async () => {
    const client = stripeClient(sandbox.urls.billing!, { retries: 1 });
    await sandbox.server('billing').setKnobs({ outage: 'refuse' });
    const result = await run(`query ($id: ID!) { customer(id: $id) { id } }`, { id: sandbox.world.customers[0].id }, { client });

    expect(result.data).toEqual({ customer: null });
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(result.errors?.[0].path).toEqual(['customer']);
  });

  it('reports RATE_LIMITED with retryAfter when Stripe answers 429', async () => {
    const client = stripeClient(sandbox.urls.billing!, { retries: 0 });
    await sandbox.server('billing').setKnobs({ rateLimitForMs: 60_000 });
    const result = await run(`query ($id: ID!) { customer(id: $id) { id } }`, { id: sandbox.world.customers[0].id }, { client });

    expect(codes(result)).toEqual(['RATE_LIMITED']);
    expect(result.errors?.[0].extensions?.retryAfter).toBeGreaterThanOrEqual(1);
  });

  it('reports UPSTREAM_AUTH_FAILED without echoing the key', async () => {
    const client = stripeClient(sandbox.urls.billing!, { credential: 'sk_test_wrong_key_1234567890' });
    const result = await run(`{ customers { nodes { id } } }`, {}, { client });

    expect(codes(result)).toEqual(['UPSTREAM_AUTH_FAILED']);
    expect(JSON.stringify(result.errors)).not.toContain('7890');
  });
});

/** A local server that answers from a table of canned responses and records each request. */
async function cannedStripe(
  routes: Record<string, { status?: number; body: unknown; headers?: Record<string, string> }>,
  pages?: (query: URLSearchParams) => unknown,
) {
  const seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes[path] ?? {
      status: 404,
      body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: "No such customer: 'x'" } },
    };
    res.writeHead(route.status ?? 200, { 'content-type': 'application/json', ...route.headers });
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    res.end(JSON.stringify(pages && routes[path] ? (pages(query) ?? route.body) : route.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const invoiceBody = (overrides: Record<string, unknown> = {}) => ({
  id: 'in_test1',
  object: 'invoice',
  customer: 'cus_test1',
  subscription: null,
  // 2023-08-16 always sends it; an absent key is another version's shape.
  charge: null,
  status: 'open',
  number: 'ABC-0001',
  currency: 'jpy',
  amount_due: 123456,
  amount_paid: 0,
  amount_remaining: 123456,
  subtotal: 123456,
  total: 123456,
  due_date: null,
  created: 1_700_000_000,
  period_start: 1_700_000_000,
  period_end: 1_700_000_000,
  hosted_invoice_url: null,
  lines: { object: 'list', data: [], has_more: false, url: '/v1/invoices/in_test1/lines' },
  some_future_field: { nested: true },
  ...overrides,
});

describe('Stripe wire format (local server)', () => {
  it('sends the pinned Stripe-Version, bearer key, x-request-id and bracketed list filters', async () => {
    const server = await cannedStripe({ '/v1/invoices': { body: { object: 'list', data: [invoiceBody()], has_more: false } } });
    try {
      const client = stripeClient(server.url);
      const loaders = createBillingLoaders({ connector: createBillingConnector(client), cache: newCache(), requestId: 'req-123' });
      await loaders.invoicesPage({ limit: 5, customer: 'cus_a', status: 'open', created: { gte: 10, lte: 20 } });

      const [request] = server.seen;
      expect(request.headers['stripe-version']).toBe('2023-08-16');
      expect(request.headers.authorization).toBe(`Bearer ${CREDENTIAL}`);
      expect(request.headers['x-request-id']).toBe('req-123');
      const query = new URL(request.url, 'http://x').searchParams;
      expect(Object.fromEntries(query)).toEqual({
        limit: '5',
        customer: 'cus_a',
        status: 'open',
        'created[gte]': '10',
        'created[lte]': '20',
      });
    } finally {
      await server.close();
    }
  });

  it('quotes and escapes search values and ORs at most ten clauses', async () => {
    const server = await cannedStripe({
      '/v1/customers/search': { body: { object: 'search_result', data: [], has_more: false, next_page: null } },
    });
    try {
      const loaders = createBillingLoaders({ connector: createBillingConnector(stripeClient(server.url)), cache: newCache() });
      const emails = Array.from({ length: 12 }, (_, i) => `a"b\\${i}@x.example`);
      await loaders.customerIdsByEmail.loadMany(emails);

      const queries = server.seen.map((s) => new URL(s.url, 'http://x').searchParams.get('query')!);
      expect(queries).toHaveLength(2);
      expect(queries[0].split(' OR ')).toHaveLength(10);
      expect(queries[0].split(' OR ')[0]).toBe('email:"a\\"b\\\\0@x.example"');
    } finally {
      await server.close();
    }
  });

  it('follows next_page until has_more is false, keeping the query, and groups invoices by customer', async () => {
    const page1 = {
      object: 'search_result',
      data: [invoiceBody({ id: 'in_1', customer: 'cus_a', created: 100 }), invoiceBody({ id: 'in_2', customer: 'cus_b' })],
      has_more: true,
      next_page: 'page_2',
    };
    const page2 = {
      object: 'search_result',
      data: [invoiceBody({ id: 'in_3', customer: 'cus_a', created: 200 })],
      has_more: false,
      next_page: null,
    };
    const server = await cannedStripe({ '/v1/invoices/search': { body: page1 } }, (query) =>
      query.get('page') === 'page_2' ? page2 : undefined,
    );
    try {
      const loaders = createBillingLoaders({ connector: createBillingConnector(stripeClient(server.url)), cache: newCache() });
      const [a, b, c] = await Promise.all(['cus_a', 'cus_b', 'cus_c'].map((id) => loaders.invoicesOfCustomer(id)));

      expect(a.map((i) => i.id)).toEqual(['in_3', 'in_1']);
      expect(b.map((i) => i.id)).toEqual(['in_2']);
      expect(c).toEqual([]);
      const queries = server.seen.map((s) => new URL(s.url, 'http://x').searchParams);
      expect(queries.map((q) => q.get('page'))).toEqual([null, 'page_2']);
      expect(queries.map((q) => q.get('query'))).toEqual(Array(2).fill('customer:"cus_a" OR customer:"cus_b" OR customer:"cus_c"'));
      expect(queries.map((q) => q.get('limit'))).toEqual(['100', '100']);
    } finally {
      await server.close();
    }
  });

  it('maps an unknown invoice status to OTHER, keeps the raw value, and formats zero-decimal yen', async () => {
    const server = await cannedStripe({ '/v1/invoices/in_test1': { body: invoiceBody({ status: 'in_review' }) } });
    try {
      const result = await run(
        `{ invoice(id: "in_test1") { status statusRaw amountDue { amount currency formatted } } }`,
        {},
        { client: stripeClient(server.url) },
      );
      expect(dataOf(result).invoice).toEqual({
        status: 'OTHER',
        statusRaw: 'in_review',
        amountDue: { amount: 123456, currency: 'jpy', formatted: '¥123,456' },
      });
    } finally {
      await server.close();
    }
  });

  it('turns a Stripe 400 into BAD_USER_INPUT naming the parameter, not quoting the message', async () => {
    const server = await cannedStripe({
      '/v1/customers': {
        status: 400,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'parameter_invalid_integer',
            param: 'limit',
            message: 'Invalid integer: secret-ish',
          },
        },
      },
    });
    try {
      const result = await run(`{ customers { nodes { id } } }`, {}, { client: stripeClient(server.url) });
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors?.[0].message).toBe('Stripe rejected the request: parameter invalid integer (limit)');
      expect(result.errors?.[0].extensions?.fields).toEqual({ limit: 'parameter invalid integer' });
    } finally {
      await server.close();
    }
  });
});
