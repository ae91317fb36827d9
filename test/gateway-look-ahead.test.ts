/**
 * Look-ahead across systems: the billing customers of a contact page are asked of Stripe as
 * soon as HubSpot has answered the page, not after the CRM subschema has also read the
 * page's companies; those of a contact asked by id beside its HubSpot read — and never for
 * an operation that does not select them, or for a caller who may not read billing data. Within billing, the invoices of customers the
 * metadata links are asked without waiting for the email fallback of the others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { TEST_API_KEYS_ENV } from './support/credentials.ts';
import { startStack, type Stack } from './support/stack.ts';

const CRM_ONLY = 'sbk_look-ahead-crm-only-key-not-a-secret';
// Every HubSpot answer is held this long after its request arrived: long enough that the
// look-ahead's calls, sent as soon as the page is parsed, arrive while it holds the next
// CRM read. The assertions compare arrivals with answers the sandbox recorded, not times.
// 300 ms was overrun once on a two-core machine running two test workers beside other builds
// (the look-ahead's chain of two searches arrived 150 ms after the company read's answer).
const CRM_LATENCY_MS = 1000;

/** A 200-contact world whose HubSpot answers CRM_LATENCY_MS late, and a key that may read the CRM only. */
async function startSlowCrmStack(): Promise<Stack> {
  const stack = await startStack({
    world: { size: 200 },
    env: { SWITCHBOARD_API_KEYS: [TEST_API_KEYS_ENV, apiKeyConfigEntry('crm-only', CRM_ONLY, ['crm:read'])].join(',') },
  });
  await stack.sandbox.server('crm').setKnobs({ latencyMs: CRM_LATENCY_MS });
  return stack;
}

describe('look-ahead from a contact page to its billing customers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startSlowCrmStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const log = (system: 'crm' | 'billing') => stack.sandbox.server(system).requests.entries;

  it('starts the customer searches while the page’s companies are still being read', async () => {
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
    // The first search came while the company read was still waiting for its answer.
    expect(searches[0].at).toBeLessThan(companies.answeredAt!);
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
    expect(invoiceSearches[0].at).toBeLessThan(companies.answeredAt!);
    // Four searches by metadata and at most one by email, then one invoice search per ten customers.
    expect(invoiceSearches.length).toBeLessThanOrEqual(Math.ceil(customers / 10) + 1);
  });

  it('keeps more than ten upstream calls of one request in flight without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    stack.resetCounts();
    try {
      // A hundred contacts: ten customer searches, the company read and the owners page at once.
      const result = await stack.query(
        '{ contacts(first: 100) { nodes { id company { id } owner { id } billingCustomer { id invoices { id } } } } }',
      );
      expect(result.errors).toBeUndefined();
      expect(stack.counts().billing).toBeGreaterThan(10);
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
    stack = await startSlowCrmStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const query = 'query One($id: ID!) { contact(id: $id) { id company { id } billingCustomer { id invoices { id } } } }';

  it('searches the customer beside the HubSpot read, and its invoices as soon as the customer is known', async () => {
    const world = stack.sandbox.world;
    const linked = world.customers.filter((c) => c.linkedByMetadata && c.contactId).at(-1)!;
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
  // Long enough that the invoice searches arrive while Stripe holds the email fallback.
  const BILLING_LATENCY_MS = 300;
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    await stack.sandbox.server('billing').setKnobs({ latencyMs: BILLING_LATENCY_MS });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('are searched while the email fallback for the page’s other contacts is still out', async () => {
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
    expect(invoiceSearches[0].at).toBeLessThan(fallback.answeredAt!);
    expect(stack.counts().billing).toBe(6 + invoiceSearches.length);
    expect(invoiceSearches.length).toBeLessThanOrEqual(4);
  });
});
