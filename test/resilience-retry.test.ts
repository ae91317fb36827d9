/**
 * Retries, waits and the breaker, driven by scripted vendor answers in the sandbox: what is
 * retried, how long the gateway waits, when it gives up at once, and when it stops calling.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SystemName } from '@switchboard/sandbox';
import { type SandboxResponse } from '@switchboard/sandbox';
import { startStack, type Stack } from './support/stack.ts';

const NO_CACHE = {
  CACHE_TTL_DEFAULT: '0',
  CACHE_TTL_CUSTOMER: '0',
  CACHE_TTL_USER: '0',
  CACHE_TTL_USER_BY_EMAIL: '0',
  CACHE_TTL_CONTACT: '0',
  CACHE_TTL_CHANNEL: '0',
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function log(stack: Stack, system: SystemName) {
  return stack.sandbox.server(system).requests.entries.map((e) => ({ at: e.at, status: e.status, route: e.route }));
}

describe('retries on 5xx and 429', () => {
  let stack: Stack;
  beforeAll(async () => {
    // A deadline far beyond the waits below, so a loaded machine's slowness cannot end the request first.
    stack = await startStack({ world: { size: 50 }, env: { ...NO_CACHE, REQUEST_DEADLINE_MS: '30000' } });
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    for (const system of ['crm', 'billing', 'chat'] as const) await stack.sandbox.server(system).resetAll();
  });

  const chatUser = (stack: Stack) => `{ chatUser(id: "${stack.sandbox.world.chatUsers[0].id}") { id name } }`;

  it('answers after 503 → 429 with Retry-After: 1 → 200 in exactly three calls, the second wait at least 1 s', async () => {
    stack.sandbox.server('chat').script([
      { status: 503, body: { ok: false, error: 'service_unavailable' } },
      { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } },
    ] satisfies SandboxResponse[]);
    const result = await stack.query<{ chatUser: { id: string } }>(chatUser(stack));
    expect(result.errors).toBeUndefined();
    expect(result.data!.chatUser.id).toBe(stack.sandbox.world.chatUsers[0].id);
    const calls = log(stack, 'chat');
    expect(calls.map((c) => c.status)).toEqual([503, 429, 200]);
    const secondGap = calls[2].at - calls[1].at;
    console.log(`503→429→200: gaps ${calls[1].at - calls[0].at} ms and ${secondGap} ms`);
    expect(secondGap).toBeGreaterThanOrEqual(1000);
  });

  it('honours Stripe-Should-Retry: false on a 503 with a single call', async () => {
    stack.sandbox
      .server('billing')
      .script([{ status: 503, headers: { 'stripe-should-retry': 'false' }, body: { error: { type: 'api_error', message: 'try later' } } }]);
    const result = await stack.query<{ customer: unknown }>(`{ customer(id: "${stack.sandbox.world.customers[0].id}") { id } }`);
    expect(result.data!.customer).toBeNull();
    expect(result.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'billing' });
    expect(log(stack, 'billing').map((c) => c.status)).toEqual([503]);
  });

  it('retries a Stripe 503 without Stripe-Should-Retry and answers from the second call', async () => {
    stack.sandbox.server('billing').script([{ status: 503, body: { error: { type: 'api_error', message: 'try later' } } }]);
    const id = stack.sandbox.world.customers[0].id;
    const result = await stack.query<{ customer: { id: string } }>(`{ customer(id: "${id}") { id } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.customer.id).toBe(id);
    expect(log(stack, 'billing').map((c) => c.status)).toEqual([503, 200]);
  });
});

describe('a Retry-After past the request deadline', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 50 }, env: { ...NO_CACHE, REQUEST_DEADLINE_MS: '1800' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('does not retry when Retry-After is longer than the request deadline: RATE_LIMITED at once after one call', async () => {
    // 2 s is within the longest wait the client accepts, but not within this request's 1.8 s deadline.
    // A channel read: it runs under the request's deadline (the Slack user directory is read
    // by the process, without one, so no single request's deadline cuts a load others share).
    stack.sandbox.server('chat').script([{ status: 429, headers: { 'retry-after': '2' }, body: { ok: false, error: 'ratelimited' } }]);
    const startedAt = Date.now();
    const result = await stack.query<{ channelByName: unknown }>('{ channelByName(name: "general") { id } }');
    const elapsed = Date.now() - startedAt;
    console.log(`Retry-After 2 s with a 1.8 s deadline: RATE_LIMITED after ${elapsed} ms`);
    expect(result.data!.channelByName).toBeNull();
    expect(result.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'chat', retryAfter: 2 });
    expect(log(stack, 'chat').map((c) => c.status)).toEqual([429]);
  });
});

describe('the circuit breaker', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      world: { size: 50 },
      env: { ...NO_CACHE, UPSTREAM_BREAKER_THRESHOLD: '3', UPSTREAM_BREAKER_HALF_OPEN_MS: '1000', UPSTREAM_RETRIES: '2' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function readiness() {
    const response = await stack.gateway.yoga.fetch('http://gateway.test/readiness');
    return {
      status: response.status,
      body: (await response.json()) as {
        status: string;
        systems: Record<SystemName, { breaker: string; lastError: { code: string } | null }>;
      },
    };
  }

  it('opens after repeated 5xx, then fails fast without calling the vendor, and closes again once it recovers', async () => {
    const billing = stack.sandbox.server('billing');
    const customer = (i: number) =>
      `{ customer(id: "${stack.sandbox.world.customers[i].id}") { id } contact(id: "${stack.sandbox.world.contacts[i].id}") { id } }`;
    await billing.setKnobs({ errorRate: 1 });

    stack.resetCounts();
    const failing = await stack.query<{ customer: unknown; contact: { id: string } }>(customer(0));
    expect(failing.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'billing' });
    expect(stack.counts().billing).toBe(3); // the try and two retries: three consecutive failures
    expect(stack.gateway.upstream.billing.breakerState).toBe('open');
    const open = await readiness();
    expect(open.status).toBe(200); // an upstream outage does not take the replica out of rotation
    expect(open.body.systems.billing.breaker).toBe('open');
    expect(open.body.systems.billing.lastError?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(open.body.systems.crm.breaker).toBe('closed');

    stack.resetCounts();
    const startedAt = Date.now();
    for (let i = 1; i <= 5; i++) {
      const result = await stack.query<{ customer: unknown; contact: { id: string } }>(customer(i));
      expect(result.data!.customer).toBeNull();
      expect(result.data!.contact.id).toBe(stack.sandbox.world.contacts[i].id);
      expect(result.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'billing' });
    }
    console.log(`breaker open: 5 queries in ${Date.now() - startedAt} ms, billing calls ${stack.counts().billing}`);
    expect(stack.counts().billing).toBe(0);

    await billing.setKnobs({ errorRate: 0 });
    await sleep(1100);
    stack.resetCounts();
    const recovered = await stack.query<{ customer: { id: string } }>(customer(6));
    expect(recovered.errors).toBeUndefined();
    expect(recovered.data!.customer.id).toBe(stack.sandbox.world.customers[6].id);
    expect(stack.counts().billing).toBe(1);
    expect(stack.gateway.upstream.billing.breakerState).toBe('closed');
    expect((await readiness()).body.systems.billing.breaker).toBe('closed');
  });
});
