/**
 * `@defer` over stitched systems: a frontend gets the CRM part of W1 at once and the billing
 * part when Stripe answers. The order is shown causally: Stripe's answer is held at a gate
 * while the first part is read, and the request log records that the test, not a timeout,
 * let it go. The parts cost exactly the upstream calls of the same query without `@defer`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TEST_AUTH_HEADERS } from './support/credentials.ts';
import { mergedAnswer, multipartParts, type Json } from './support/multipart.ts';
import { startStack, type Stack } from './support/stack.ts';

const W1_BILLING = `billingCustomer { id email name invoices(status: OPEN) { id number status amountDue { amount currency formatted } dueDate } }`;
const w1 = (billing: string) => `query W1 { contacts(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes {
  id firstName lastName email lifecycleStage company { id name domain }
  owner { id email firstName lastName chatUser { id name displayName } } ${billing} } } }`;
const W1_PLAIN = w1(W1_BILLING);
const W1_DEFERRED = w1(`... @defer(label: "billing") { ${W1_BILLING} }`);

async function send(stack: Stack, query: string, accept = 'multipart/mixed'): Promise<Response> {
  return stack.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...TEST_AUTH_HEADERS },
    body: JSON.stringify({ query }),
  });
}

describe('@defer on W1', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 200 }, env: { RESPONSE_CACHE: '0' } });
  });
  afterAll(async () => stack?.close());
  afterEach(() => stack.sandbox.server('billing').clearGates());

  it('sends the CRM and chat part before Stripe answers, then the billing part; the same calls and data as without @defer', async () => {
    const billing = stack.sandbox.server('billing');
    const gate = billing.gate({ route: 'GET /v1/customers/search', timeoutMs: 30_000 }).id;
    const response = await send(stack, W1_DEFERRED);
    expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed/);
    const parts = multipartParts(response);
    const first = (await parts.next())!;
    // Stripe is holding its answer (the search may arrive only now, but it is held until the test opens the gate):
    // the first part did not wait for it.
    const searched = () => billing.requests.entries.filter((entry) => entry.route === 'GET /v1/customers/search');
    await vi.waitFor(() => expect(searched()).not.toHaveLength(0), { timeout: 10_000 });
    expect(searched().every((entry) => !entry.answeredAt)).toBe(true);
    expect(first.hasNext).toBe(true);
    expect(first.errors).toBeUndefined();
    const nodes = first.data.contacts.nodes as Json[];
    expect(nodes).toHaveLength(50);
    for (const node of nodes) {
      expect(node.billingCustomer).toBeUndefined();
      expect(node).toHaveProperty('owner');
    }
    billing.openGate(gate);
    const rest: Json[] = [];
    for (let part = await parts.next(); part; part = await parts.next()) rest.push(part);
    expect(rest.at(-1)!.hasNext).toBe(false);
    const deferred = rest.flatMap((part) => part.incremental ?? []);
    expect(deferred.map((item: Json) => item.path)).toEqual(nodes.map((_node, index) => ['contacts', 'nodes', index]));
    expect(billing.requests.entries.find((entry) => entry.route === 'GET /v1/customers/search')!.heldUntil).toBe('opened');

    // Cold, the deferred W1 and the plain one make the same upstream calls and give the same data.
    const countsOf = async (query: string) => {
      const cold = await startStack({ world: { size: 200 }, env: { RESPONSE_CACHE: '0' } });
      try {
        const answer = query === W1_PLAIN ? await cold.query(query) : (await mergedAnswer(await send(cold, query))).result;
        const routes = (['crm', 'billing', 'chat'] as const).flatMap((system) =>
          cold.sandbox
            .server(system)
            .requests.entries.map((entry) => `${system} ${entry.route}`)
            .sort(),
        );
        return { routes, data: answer.data };
      } finally {
        await cold.close();
      }
    };
    const plain = await countsOf(W1_PLAIN);
    const split = await countsOf(W1_DEFERRED);
    expect(split.routes).toEqual(plain.routes);
    expect(split.data).toEqual(plain.data);
  });

  it('reports a failed billing part in that part, at each contact’s own billingCustomer, with its code', async () => {
    // A stack of its own: nothing of billing cached, so Stripe's outage reaches every contact.
    const cold = await startStack({ world: { size: 50 }, env: { RESPONSE_CACHE: '0' } });
    try {
      await cold.sandbox.server('billing').setKnobs({ outage: 'refuse' });
      const query = `{ contacts(first: 3) { nodes { id ... @defer { bc: billingCustomer { id } } } } }`;
      const { parts, result } = await mergedAnswer(await send(cold, query));
      expect(parts[0].errors).toBeUndefined();
      expect(result.data.contacts.nodes.map((node: Json) => node.bc)).toEqual([null, null, null]);
      // Each error's path leads to the null it explains (delegation once doubled the first one's last key).
      expect(result.errors.map((error: Json) => error.path)).toEqual([0, 1, 2].map((index) => ['contacts', 'nodes', index, 'bc']));
      for (const error of result.errors) expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'billing' });
    } finally {
      await cold.close();
    }
  });

  it('answers a client that reads no parts with the whole result at once, executed without deferring', async () => {
    const query = `{ contacts(first: 5, filter: { lifecycleStage: OPPORTUNITY }) { nodes { id ... @defer { billingCustomer { id } } } } }`;
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const response = await send(stack, query, accept);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain(accept);
      const body = (await response.json()) as Json;
      expect(body.errors).toBeUndefined();
      for (const node of body.data.contacts.nodes) expect(node).toHaveProperty('billingCustomer');
    }
  });
});

describe('@defer and the gateway’s limits and caches', () => {
  it('holds its execution slot until the last part: with one slot and no queue, another operation is refused meanwhile', async () => {
    const stack = await startStack({
      world: { size: 50 },
      env: { RESPONSE_CACHE: '0', MAX_CONCURRENT_OPERATIONS: '1', MAX_QUEUED_OPERATIONS: '0' },
    });
    try {
      const billing = stack.sandbox.server('billing');
      const gate = billing.gate({ route: 'GET /v1/customers/search', timeoutMs: 30_000 }).id;
      const parts = multipartParts(await send(stack, W1_DEFERRED));
      expect((await parts.next())!.hasNext).toBe(true);
      const meanwhile = await stack.query('{ owners(first: 1) { nodes { id } } }');
      expect(meanwhile.errors?.[0]?.extensions?.code).toBe('OVERLOADED');
      billing.openGate(gate);
      while (await parts.next());
      await vi.waitFor(async () => expect((await stack.query('{ owners(first: 1) { nodes { id } } }')).errors).toBeUndefined());
    } finally {
      await stack.close();
    }
  });

  it('ends with its client: a client leaving after the first part frees the slot, and the pending billing call is cancelled', async () => {
    const stack = await startStack({
      world: { size: 50 },
      env: { RESPONSE_CACHE: '0', MAX_CONCURRENT_OPERATIONS: '1', MAX_QUEUED_OPERATIONS: '0' },
    });
    try {
      const billing = stack.sandbox.server('billing');
      billing.gate({ route: 'GET /v1/customers/search', timeoutMs: 30_000 });
      const client = new AbortController();
      const response = await stack.gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'multipart/mixed', ...TEST_AUTH_HEADERS },
        body: JSON.stringify({ query: W1_DEFERRED }),
        signal: client.signal,
      });
      expect((await multipartParts(response).next())!.hasNext).toBe(true);
      // The billing call is under way (held at the gate) when the client leaves.
      await vi.waitFor(() => expect(billing.requests.count('GET /v1/customers/search')).toBeGreaterThan(0), { timeout: 10_000 });
      client.abort();
      // Stripe still holds its answer: only the client's leaving can have ended the operation.
      await vi.waitFor(async () => expect((await stack.query('{ owners(first: 1) { nodes { id } } }')).errors).toBeUndefined(), {
        timeout: 10_000,
      });
      expect(billing.requests.entries.find((entry) => entry.route === 'GET /v1/customers/search')!.answeredAt).toBeUndefined();
    } finally {
      await stack.close();
    }
  });

  it('is cached whole by the response cache: a repeat answers from it with the merged result and no upstream call', async () => {
    const stack = await startStack({ world: { size: 50 } });
    try {
      const { result } = await mergedAnswer(await send(stack, W1_DEFERRED));
      expect(result.errors).toBeUndefined();
      stack.resetCounts();
      const again = await mergedAnswer(await send(stack, W1_DEFERRED));
      expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
      expect(again.parts).toHaveLength(1);
      expect(again.result.data).toEqual(result.data);
    } finally {
      await stack.close();
    }
  });
});
