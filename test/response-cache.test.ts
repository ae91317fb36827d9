/**
 * The whole-response cache in front of execution: a repeat is answered without executing
 * (seen in /metrics and in zero upstream calls even with every record TTL long expired),
 * and no change, scope, error or trace can make it serve what the gateway would not.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChangeEvent } from '../src/changes/types.ts';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { createResponseStore } from '../src/plugins/use-response-cache.ts';
import { TEST_API_KEYS_ENV } from './support/credentials.ts';
import { registerWebhooks, sandboxAdmin, serve, sleep, type Served } from './support/live.ts';
import { startStack, type Stack } from './support/stack.ts';

const CRM_ONLY = 'sbk_response-cache-crm-only-key';
const CONTACT = 'query ($id: ID!) { contact(id: $id) { id firstName company { id name } billingCustomer { id email } } }';
const CUSTOMER_SEARCH = 'GET /v1/customers/search';
// A held answer waits at most this long; only a regression gets there (the assertions then fail).
const GATE_TIMEOUT_MS = 15_000;
const WAIT = { timeout: 10_000, interval: 10 };
const LIST =
  'query ($first: Int!) { contacts(first: $first) { nodes { id firstName owner { id chatUser { id name } } billingCustomer { id } } } }';

async function responseCacheCount(stack: Stack, result: 'hit' | 'miss'): Promise<number> {
  const text = await (await stack.fetch('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`switchboard_response_cache_total{result="${result}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Resolves with the first change the gateway's feed delivers that `matches` (delivered after its evictions). */
async function changeSeen(stack: Stack, matches: (event: ChangeEvent) => boolean): Promise<ChangeEvent> {
  const stop = new AbortController();
  try {
    for await (const event of stack.gateway.changes.subscribe(stop.signal)) if (matches(event)) return event;
    throw new Error('the change feed ended');
  } finally {
    stop.abort();
  }
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('response cache', () => {
  let stack: Stack;
  let served: Served;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'response-cache-')),
        SWITCHBOARD_API_KEYS: [TEST_API_KEYS_ENV, apiKeyConfigEntry('crm-only', CRM_ONLY, ['crm:read'])].join(','),
      },
    });
    served = await serve(stack.gateway);
    await registerWebhooks(stack.sandbox, served.url);
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it('answers a repeat from the cache: one hit, no execution, byte-identical data', async () => {
    const first = await stack.query(LIST, { first: 7 });
    expect(first.errors).toBeUndefined();
    const hits = await responseCacheCount(stack, 'hit');
    stack.resetCounts();

    const second = await stack.query(LIST, { first: 7 });

    expect(second.data).toEqual(first.data);
    expect(await responseCacheCount(stack, 'hit')).toBe(hits + 1);
    expect(total(stack.counts())).toBe(0);
    // Different variables are a different answer: executed, not served.
    const other = await stack.query<{ contacts: { nodes: unknown[] } }>(LIST, { first: 8 });
    expect(other.data!.contacts.nodes).toHaveLength(8);
    expect(await responseCacheCount(stack, 'hit')).toBe(hits + 1);
  });

  it('drops a cached answer when a webhook reports a change to a record in it', async () => {
    const customer = stack.sandbox.world.customers.find((c) => c.contactId && c.linkedByMetadata)!;
    const id = customer.contactId!;
    await stack.query(CONTACT, { id });
    expect((await stack.query<{ contact: { firstName: string } }>(CONTACT, { id })).data!.contact.firstName).not.toBe('Cached-Not');

    const evicted = changeSeen(stack, (event) => event.system === 'crm' && event.id === id);
    await sandboxAdmin(stack.sandbox, 'crm', 'edit', { objectType: 'contacts', id, properties: { firstname: 'Cached-Not' } });
    // Once the webhook's change is on the feed (which evicts first), the next query executes.
    await evicted;
    const firstName = (await stack.query<{ contact: { firstName: string } }>(CONTACT, { id })).data!.contact.firstName;
    expect(firstName).toBe('Cached-Not');
  });

  it('drops answers that hold a linked type of the changed system, even where the link was empty', async () => {
    const customer = stack.sandbox.world.customers.find((c) => c.contactId && c.linkedByMetadata)!;
    const id = customer.contactId!;
    const before = await stack.query<{ contact: { billingCustomer: { email: string } } }>(CONTACT, { id });
    expect(before.data!.contact.billingCustomer.email).not.toBe('relinked@example.com');
    await stack.query(CONTACT, { id });

    // A Stripe-side change reaches a cached CRM-rooted answer through Contact.billingCustomer.
    const evicted = changeSeen(stack, (event) => event.system === 'billing' && event.id === customer.id);
    await sandboxAdmin(stack.sandbox, 'billing', 'edit', { object: 'customer', id: customer.id, set: { email: 'relinked@example.com' } });
    await evicted;
    const email = (await stack.query<{ contact: { billingCustomer: { email: string } } }>(CONTACT, { id })).data!.contact.billingCustomer
      .email;
    expect(email).toBe('relinked@example.com');
  });

  it('does not store an answer that was being assembled when a change evicted its types', async () => {
    const customer = stack.sandbox.world.customers.filter((c) => c.contactId && c.linkedByMetadata)[7];
    const id = customer.contactId!;
    const billing = stack.sandbox.server('billing');
    // Its billing search is held until the test opens the gate (not 400 ms of latency and a
    // 100 ms sleep), so the edit below lands while the answer is still being assembled.
    const gate = billing.gate({ route: CUSTOMER_SEARCH, match: `"${id}"`, timeoutMs: GATE_TIMEOUT_MS }).id;
    const search = () => billing.requests.entries.find((e) => e.route === CUSTOMER_SEARCH && e.search.includes(id));
    const crmRead = () => stack.sandbox.server('crm').requests.entries.find((e) => e.path.endsWith(`/contacts/${id}`));
    let inFlight: Promise<{ data?: { contact: { firstName: string } } | null }>;
    try {
      stack.resetCounts();
      inFlight = stack.query<{ contact: { firstName: string } }>(CONTACT, { id });
      // The CRM read was answered (before the edit) and the billing search is still out.
      await vi.waitFor(() => {
        expect(crmRead()?.answeredAt).toBeDefined();
        expect(search()).toBeDefined();
      }, WAIT);
      expect(search()!.answeredAt).toBeUndefined();
      const evicted = changeSeen(stack, (event) => event.system === 'crm' && event.id === id);
      await sandboxAdmin(stack.sandbox, 'crm', 'edit', { objectType: 'contacts', id, properties: { firstname: 'Mid-Flight' } });
      // The webhook reached the feed, which evicts before it tells subscribers.
      await evicted;
      expect(search()!.answeredAt).toBeUndefined();
      billing.openGate(gate);
      const stale = await inFlight;
      expect(stale.data!.contact.firstName).not.toBe('Mid-Flight');
      expect(search()!.heldUntil).toBe('opened');
    } finally {
      billing.clearGates();
    }
    const hits = await responseCacheCount(stack, 'hit');

    const after = await stack.query<{ contact: { firstName: string } }>(CONTACT, { id });

    expect(after.data!.contact.firstName).toBe('Mid-Flight');
    expect(await responseCacheCount(stack, 'hit')).toBe(hits);
  });

  it('never serves one scope set what was cached for another', async () => {
    const id = stack.sandbox.world.customers.find((c) => c.contactId && c.linkedByMetadata)!.contactId!;
    await stack.query(CONTACT, { id });
    await stack.query(CONTACT, { id });

    const restricted = await stack.query<{ contact: { billingCustomer: unknown } }>(
      CONTACT,
      { id },
      { authorization: `Bearer ${CRM_ONLY}` },
    );

    expect(restricted.data!.contact.billingCustomer).toBeNull();
    expect(restricted.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
    // …and the restricted caller's partial answer (it has errors) is not cached either.
    const again = await stack.query<{ contact: { billingCustomer: unknown } }>(CONTACT, { id }, { authorization: `Bearer ${CRM_ONLY}` });
    expect(again.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
    const full = await stack.query<{ contact: { billingCustomer: { id: string } | null } }>(CONTACT, { id });
    expect(full.errors).toBeUndefined();
    expect(full.data!.contact.billingCustomer).not.toBeNull();
  });

  it('answers an unauthenticated request 401 even when it presents a cached ETag', async () => {
    const id = stack.sandbox.world.contacts[400].id;
    await stack.query(CONTACT, { id });
    const cached = await stack.query(CONTACT, { id });
    const etag = cached.headers.get('etag');
    expect(etag).toBeTruthy();

    const response = await stack.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'if-none-match': etag! },
      body: JSON.stringify({ query: CONTACT, variables: { id } }),
    });

    expect(response.status).toBe(401);
  });

  it('does not cache an answer with errors: after an outage the next query executes and is whole', async () => {
    const id = stack.sandbox.world.contacts[200].id;
    await stack.sandbox.server('billing').setKnobs({ outage: 'refuse' });
    const hits = await responseCacheCount(stack, 'hit');
    try {
      // A contact never read before, so no record cache holds its billing link.
      const broken = await stack.query<{ contact: { billingCustomer: unknown } }>(CONTACT, { id });
      expect(broken.errors?.map((e) => e.extensions?.code)).toContain('UPSTREAM_UNAVAILABLE');
    } finally {
      await stack.sandbox.server('billing').setKnobs({ outage: 'none' });
    }
    const healed = await stack.query(CONTACT, { id });
    expect(healed.errors).toBeUndefined();
    expect(await responseCacheCount(stack, 'hit')).toBe(hits);
  });

  it('never answers a traced request from the cache', async () => {
    const id = stack.sandbox.world.contacts[300].id;
    await stack.query(CONTACT, { id });
    const hits = await responseCacheCount(stack, 'hit');

    const traced = await stack.query(CONTACT, { id }, { 'x-switchboard-trace': '1' });

    expect(traced.extensions?.trace).toBeDefined();
    expect(await responseCacheCount(stack, 'hit')).toBe(hits);
  });
});

describe('response cache bounds', () => {
  it('caches nothing that holds a type whose record TTL is 0', async () => {
    const stack = await startStack({ env: { CACHE_TTL_COMPANY: '0' } });
    try {
      const id = stack.sandbox.world.contacts.find((c) => c.companyId)!.id;
      await stack.query(CONTACT, { id });
      await stack.query(CONTACT, { id });
      expect(await responseCacheCount(stack, 'hit')).toBe(0);
      // Without the company, the same contact is cacheable.
      const NO_COMPANY = 'query ($id: ID!) { contact(id: $id) { id firstName } }';
      await stack.query(NO_COMPANY, { id });
      await stack.query(NO_COMPANY, { id });
      expect(await responseCacheCount(stack, 'hit')).toBe(1);
    } finally {
      await stack.close();
    }
  });

  it('is off with RESPONSE_CACHE=0: every repeat executes', async () => {
    const stack = await startStack({ env: { RESPONSE_CACHE: '0' } });
    try {
      await stack.query(LIST, { first: 3 });
      await stack.query(LIST, { first: 3 });
      expect(await responseCacheCount(stack, 'hit')).toBe(0);
      expect(await responseCacheCount(stack, 'miss')).toBe(0);
    } finally {
      await stack.close();
    }
  });
});

describe('response store', () => {
  const result = (n: number) => ({ data: { contact: { id: String(n), padding: 'x'.repeat(200) } } });

  it('keeps at most its bound in JSON bytes, dropping the least recently used first', () => {
    const store = createResponseStore(1_000);
    for (const n of [1, 2, 3, 4]) store.set(`r${n}`, result(n), [{ typename: 'Contact', id: String(n) }], 60_000);
    expect(store.size).toBe(4);
    store.get('r1');
    store.set('r5', result(5), [{ typename: 'Contact' }], 60_000);

    expect(store.bytes).toBeLessThanOrEqual(1_000);
    expect(store.get('r2')).toBeNull();
    expect(store.get('r1')).toEqual(result(1));
    expect(store.get('r5')).toEqual(result(5));
  });

  it('evicts by type, widens a per-id eviction to the type, and expires by TTL', async () => {
    const store = createResponseStore(100_000);
    store.set(
      'a',
      result(1),
      [
        { typename: 'Contact', id: '1' },
        { typename: 'Company', id: '9' },
      ],
      60_000,
    );
    store.set('b', result(2), [{ typename: 'Invoice', id: 'in_1' }], 60_000);
    store.set('c', result(3), [{ typename: 'Contact', id: '3' }], 20);
    store.set('d', result(4), [{ typename: 'Deal' }], 0);

    store.invalidate([{ typename: 'Company', id: '9' }]);
    expect(store.get('a')).toBeNull();
    expect(store.get('b')).toEqual(result(2));
    expect(store.get('d')).toBeNull();
    await sleep(30);
    expect(store.get('c')).toBeNull();
    expect(store.size).toBe(1);
  });
});
