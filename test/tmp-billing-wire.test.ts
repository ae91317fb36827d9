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
import { createBillingConnector, createBillingLoaders, stripeProfile } from '../src/connectors/billing/index.ts';
import type { GatewayContext } from '../src/context.ts';
import { SANDBOX_CREDENTIALS } from '../src/sandbox/credentials.ts';
type Sandbox = any; const startSandbox = async (_: unknown): Promise<any> => ({ urls: { billing: 'http://127.0.0.1:1' }, close: async () => {} });
import type { SeedContact, SeedCustomer } from '../src/sandbox/world.ts';
import { createUpstreamClient, type ResilientUpstreamClient } from '../src/upstream/client.ts';
import { createBillingSchema } from '../resolvers/billing/index.ts';
import { formatMoney } from '../resolvers/billing/money.ts';

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
  const client = createUpstreamClient({ profile: stripeProfile, baseUrl, credential: options.credential ?? CREDENTIAL, retries: options.retries ?? 2, timeoutMs: 5_000 });
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
        invoices(status: OPEN) { id number status statusRaw amountDue { amount currency formatted } dueDate }
      }
    }
  }
`;

/** A local server that answers from a table of canned responses and records each request. */
async function cannedStripe(routes: Record<string, { status?: number; body: unknown; headers?: Record<string, string> }>) {
  const seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes[path] ?? { status: 404, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: "No such customer: 'x'" } } };
    res.writeHead(route.status ?? 200, { 'content-type': 'application/json', ...route.headers });
    res.end(JSON.stringify(route.body));
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
      expect(Object.fromEntries(query)).toEqual({ limit: '5', customer: 'cus_a', status: 'open', 'created[gte]': '10', 'created[lte]': '20' });
    } finally {
      await server.close();
    }
  });

  it('quotes and escapes search values and ORs at most ten clauses', async () => {
    const server = await cannedStripe({ '/v1/customers/search': { body: { object: 'search_result', data: [], has_more: false, next_page: null } } });
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

  it('maps an unknown invoice status to OTHER, keeps the raw value, and formats zero-decimal yen', async () => {
    const server = await cannedStripe({ '/v1/invoices/in_test1': { body: invoiceBody({ status: 'in_review' }) } });
    try {
      const result = await run(`{ invoice(id: "in_test1") { status statusRaw amountDue { amount currency formatted } } }`, {}, { client: stripeClient(server.url) });
      expect(dataOf(result).invoice).toEqual({ status: 'OTHER', statusRaw: 'in_review', amountDue: { amount: 123456, currency: 'jpy', formatted: '¥123,456' } });
    } finally {
      await server.close();
    }
  });

  it('turns a Stripe 400 into BAD_USER_INPUT naming the parameter, not quoting the message', async () => {
    const server = await cannedStripe({
      '/v1/customers': { status: 400, body: { error: { type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'limit', message: 'Invalid integer: secret-ish' } } },
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
