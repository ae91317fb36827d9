/**
 * Look-ahead across systems: the billing customers of a contact page are asked of Stripe as
 * soon as HubSpot has answered the page, not after the CRM subschema has also read the
 * page's companies; those of a contact asked by id beside its HubSpot read — and never for
 * an operation that does not select them, or for a caller who may not read billing data. Within billing, the invoices of customers the
 * metadata links are asked without waiting for the email fallback of the others.
 */
import type { GateSpec, RequestLogEntry, SystemName } from '@switchboard/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { TEST_API_KEYS_ENV } from './support/credentials.ts';
import { startStack, type Stack } from './support/stack.ts';

const CRM_ONLY = 'sbk_look-ahead-crm-only-key-not-a-secret';
// The overlap is produced by the sandbox's causal gates, not by a latency margin (1000 ms of
// CRM latency, and 300 ms before it, were overrun on a loaded two-core machine): a gate holds
// a read's answer until the look-ahead's request has arrived, and the log records whether
// that arrival or the timeout let it go. The timeout is far below the test's (30 s), so a
// look-ahead that waits for the held read fails the assertions instead of hanging.
const GATE_TIMEOUT_MS = 10_000;
// The gateway outwaits a gate's timeout (its defaults, 10 s an upstream attempt and 15 s a
// request, do not), so a regression fails on the recorded cause, not on an upstream error.
const OUTWAIT_GATES_ENV = { UPSTREAM_TIMEOUT_MS: '20000', REQUEST_DEADLINE_MS: '25000' };
const COMPANY_READ = 'POST /crm/v3/objects/:type/batch/read';

/**
 * Replaces the gates of `system`: answers of `route` (only requests whose path, query or
 * body contains `match`, when given) wait until a request for `until` has arrived.
 */
function gate(stack: Stack, system: SystemName, ...gates: Omit<GateSpec, 'timeoutMs'>[]): void {
  const server = stack.sandbox.server(system);
  server.clearGates();
  for (const spec of gates) server.gate({ ...spec, timeoutMs: GATE_TIMEOUT_MS });
}

function clearGates(stack: Stack | undefined): void {
  for (const server of stack?.sandbox.servers.values() ?? []) server.clearGates();
}

/** The earliest arrival among `entries` (the log is in the order answers were computed, not arrivals). */
const firstArrival = (entries: RequestLogEntry[]) => Math.min(...entries.map((e) => e.at));

/** A 200-contact world, and a key that may read the CRM only. */
async function startLookAheadStack(): Promise<Stack> {
  return startStack({
    world: { size: 200 },
    env: {
      ...OUTWAIT_GATES_ENV,
      SWITCHBOARD_API_KEYS: [TEST_API_KEYS_ENV, apiKeyConfigEntry('crm-only', CRM_ONLY, ['crm:read'])].join(','),
    },
  });
}

describe('look-ahead from a contact page to its billing customers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startLookAheadStack();
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(() => clearGates(stack));

  const log = (system: 'crm' | 'billing') => stack.sandbox.server(system).requests.entries;

  it('starts the customer searches while the page’s companies are still being read', async () => {
    gate(stack, 'crm', { route: COMPANY_READ, match: '/companies/', until: { system: 'billing', route: 'GET /v1/customers/search' } });
    stack.resetCounts();
    const result = await stack.query<{
      contacts: { nodes: { id: string; company: { id: string } | null; billingCustomer: { id: string } | null }[] };
    }>('{ contacts(first: 20) { nodes { id company { id } billingCustomer { id } } } }');
    expect(result.errors).toBeUndefined();
    const world = stack.sandbox.world;
    for (const node of result.data!.contacts.nodes) {
      expect(node.company?.id ?? null).toBe(world.contacts.find((c) => c.id === node.id)!.companyId);
    }
    expect(result.data!.contacts.nodes.filter((n) => n.billingCustomer).length).toBeGreaterThan(0);

    const companies = log('crm').find((e) => e.route.endsWith('/batch/read'))!;
    const searches = log('billing').filter((e) => e.route === 'GET /v1/customers/search');
    expect(companies).toBeDefined();
    expect(searches.length).toBeGreaterThan(0);
    // The first search came while the company read was still waiting for its answer: the
    // gate let that answer go on the search's arrival, not on its timeout.
    expect(companies.heldUntil).toBe('arrival');
    expect(firstArrival(searches)).toBeLessThan(companies.answeredAt!);
    // Two searches by metadata for 20 contacts (ten clauses each), at most one by email.
    expect(stack.counts().billing).toBeLessThanOrEqual(3);
  });

  it('searches the invoices of the customers the metadata names while the page’s companies are still being read, ten customers a search', async () => {
    // Contacts 150–189: no other test reads their links or their companies.
    const skipped = await stack.query<{ contacts: { pageInfo: { endCursor: string } } }>(
      '{ contacts(first: 100) { pageInfo { endCursor } } }',
    );
    const after = (
      await stack.query<{ contacts: { pageInfo: { endCursor: string } } }>(
        'query($after: String) { contacts(first: 50, after: $after) { pageInfo { endCursor } } }',
        { after: skipped.data!.contacts.pageInfo.endCursor },
      )
    ).data!.contacts.pageInfo.endCursor;
    gate(stack, 'crm', { route: COMPANY_READ, match: '/companies/', until: { system: 'billing', route: 'GET /v1/invoices/search' } });
    stack.resetCounts();
    const result = await stack.query<{ contacts: { nodes: { billingCustomer: { id: string; invoices: { id: string }[] } | null }[] } }>(
      'query($after: String) { contacts(first: 40, after: $after) { nodes { id company { id } billingCustomer { id invoices { id } } } } }',
      { after },
    );
    expect(result.errors).toBeUndefined();
    const customers = result.data!.contacts.nodes.filter((n) => n.billingCustomer).length;
    expect(customers).toBeGreaterThan(10);

    const page = log('crm').find((e) => e.route === 'GET /crm/v3/objects/:type')!;
    const companies = log('crm').find((e) => e.route.endsWith('/batch/read'))!;
    const invoiceSearches = log('billing').filter((e) => e.route === 'GET /v1/invoices/search');
    // The companies read needs the page's answer; the invoice search came while it was still out.
    expect(companies.at).toBeGreaterThanOrEqual(page.answeredAt!);
    expect(companies.heldUntil).toBe('arrival');
    expect(firstArrival(invoiceSearches)).toBeLessThan(companies.answeredAt!);
    // Four searches by metadata and at most one by email, then one invoice search per ten customers.
    expect(invoiceSearches.length).toBeLessThanOrEqual(Math.ceil(customers / 10) + 1);
  });

  it('keeps more than ten upstream calls of one request in flight without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    // The company read and the owners page are held until the invoices are searched, so they
    // are still out while all the customer searches are.
    const untilInvoices = { system: 'billing', route: 'GET /v1/invoices/search' } as const;
    gate(
      stack,
      'crm',
      { route: COMPANY_READ, match: '/companies/', until: untilInvoices },
      { route: 'GET /crm/v3/owners', until: untilInvoices },
    );
    stack.resetCounts();
    try {
      // A hundred contacts: ten customer searches, the company read and the owners page at once.
      const result = await stack.query(
        '{ contacts(first: 100) { nodes { id company { id } owner { id } billingCustomer { id invoices { id } } } } }',
      );
      expect(result.errors).toBeUndefined();
      expect(stack.counts().billing).toBeGreaterThan(10);
      const held = log('crm').filter((e) => e.route === COMPANY_READ || e.route === 'GET /crm/v3/owners');
      expect(held.map((e) => e.heldUntil)).toEqual(['arrival', 'arrival']);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  // Pages larger than the first test's: contacts whose customer links no earlier read cached.
  it('reads nothing from Stripe for a page that does not select billing fields on its contacts', async () => {
    const world = stack.sandbox.world;
    // A contact beyond every page read here, so its link is not cached yet.
    const far = new Set(world.contacts.slice(100).map((c) => c.id));
    const linked = world.customers.find((c) => c.linkedByMetadata && c.contactId && far.has(c.contactId))!;
    stack.resetCounts();
    const result = await stack.query(
      `{ contacts(first: 40) { nodes { id email } } contact(id: "${linked.contactId}") { billingCustomer { id } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.contact).toEqual({ billingCustomer: { id: linked.id } });
    // Only the single contact's metadata search.
    expect(stack.counts().billing).toBe(1);
  });

  it('reads nothing from Stripe for a caller without billing:read', async () => {
    stack.resetCounts();
    const result = await stack.query<{ contacts: { nodes: { id: string; billingCustomer: unknown }[] } }>(
      '{ contacts(first: 60) { nodes { id billingCustomer { id } } } }',
      undefined,
      { authorization: `Bearer ${CRM_ONLY}` },
    );
    expect(result.data!.contacts.nodes).toHaveLength(60);
    expect(result.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(stack.counts().billing).toBe(0);
  });
});

describe('look-ahead from a contact by id to its billing customer', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startLookAheadStack();
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(() => clearGates(stack));

  const query = 'query One($id: ID!) { contact(id: $id) { id company { id } billingCustomer { id invoices { id } } } }';

  it('searches the customer beside the HubSpot read, and its invoices as soon as the customer is known', async () => {
    const world = stack.sandbox.world;
    const linked = world.customers.filter((c) => c.linkedByMetadata && c.contactId).at(-1)!;
    gate(stack, 'crm', { route: 'GET /crm/v3/objects/:type/:id', until: { system: 'billing', route: 'GET /v1/invoices/search' } });
    stack.resetCounts();
    const result = await stack.query<{ contact: { id: string; billingCustomer: { id: string; invoices: { id: string }[] } | null } }>(
      query,
      { id: linked.contactId },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.contact.billingCustomer?.id).toBe(linked.id);

    const read = stack.sandbox.server('crm').requests.entries.find((e) => e.route === 'GET /crm/v3/objects/:type/:id')!;
    const billing = stack.sandbox.server('billing').requests.entries;
    const search = billing.find((e) => e.route === 'GET /v1/customers/search')!;
    const invoices = billing.find((e) => e.route === 'GET /v1/invoices/search')!;
    // Both arrived while HubSpot was still holding the contact read; the invoices after the customer was known.
    expect(read.heldUntil).toBe('arrival');
    expect(search.at).toBeLessThan(read.answeredAt!);
    expect(invoices.at).toBeLessThan(read.answeredAt!);
    expect(invoices.at).toBeGreaterThanOrEqual(search.answeredAt!);
    expect(billing.map((e) => e.route)).toEqual(['GET /v1/customers/search', 'GET /v1/invoices/search']);
  });

  it('starts nothing for a customer selected only under @include or @skip', async () => {
    const contact = stack.sandbox.world.customers.filter((c) => c.linkedByMetadata && c.contactId).at(-2)!.contactId!;
    stack.resetCounts();
    const result = await stack.query<{ contact: { id: string; billingCustomer?: unknown } }>(
      'query($id: ID!, $billing: Boolean!) { contact(id: $id) { id billingCustomer @include(if: $billing) { id } } }',
      { id: contact, billing: false },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.contact).toEqual({ id: contact });
    expect(stack.counts().billing).toBe(0);
  });

  it('starts nothing for a caller without billing:read, or for an id that is no HubSpot record ID', async () => {
    stack.resetCounts();
    const forbidden = await stack.query(query, { id: stack.sandbox.world.contacts[0].id }, { authorization: `Bearer ${CRM_ONLY}` });
    expect(forbidden.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    const malformed = await stack.query(query, { id: 'not-a-record-id' });
    expect(malformed.errors).toBeDefined();
    expect(stack.counts().billing).toBe(0);
  });
});

describe('invoices of metadata-linked customers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: OUTWAIT_GATES_ENV });
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(() => clearGates(stack));

  it('are searched while the email fallback for the page’s other contacts is still out', async () => {
    // Stripe holds the email fallback (and only it: the invoice searches need the metadata ones answered).
    gate(stack, 'billing', { route: 'GET /v1/customers/search', match: 'email:', until: { route: 'GET /v1/invoices/search' } });
    stack.resetCounts();
    const result = await stack.query<{ contacts: { nodes: { billingCustomer: { invoices: unknown[] } | null }[] } }>(
      '{ contacts(first: 50) { nodes { id billingCustomer { id invoices { id } } } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.contacts.nodes.filter((n) => n.billingCustomer).length).toBeGreaterThan(0);

    const log = stack.sandbox.server('billing').requests.entries;
    const customerSearches = log.filter((e) => e.route === 'GET /v1/customers/search');
    const invoiceSearches = log.filter((e) => e.route === 'GET /v1/invoices/search');
    // Five searches by metadata, then one by email for the contacts they did not link.
    expect(customerSearches).toHaveLength(6);
    const fallback = customerSearches.at(-1)!;
    expect(invoiceSearches.length).toBeGreaterThan(0);
    expect(customerSearches.filter((e) => e.heldUntil).map((e) => e.search)).toEqual([fallback.search]);
    expect(decodeURIComponent(fallback.search)).toContain('email:');
    expect(fallback.heldUntil).toBe('arrival');
    expect(firstArrival(invoiceSearches)).toBeLessThan(fallback.answeredAt!);
    expect(stack.counts().billing).toBe(6 + invoiceSearches.length);
    expect(invoiceSearches.length).toBeLessThanOrEqual(4);
  });
});
