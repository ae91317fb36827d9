/**
 * Integration health over real HTTP: Query.integrationHealth and its subscription against the
 * in-process gateway and the real sandbox vendors — a billing outage through the sandbox's
 * chaos knob (its admin API), webhook deliveries, and a key without `ops:read`. Every wait is
 * on a cause (a state the query reports, an event the subscription delivers), never a clock.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SANDBOX_WEBHOOK_SECRETS, stripeSignatureHeader } from '@switchboard/sandbox';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { TEST_API_KEYS_ENV } from './support/credentials.ts';
import { sandboxAdmin, serve, subscribeSse, type Served } from './support/live.ts';
import { NO_CACHE_ENV, startStack, type Stack } from './support/stack.ts';
import { openDeals, WIN_DEAL, type WinDealResult } from './writes-support.ts';

const CRM_READER = 'sbk_health-test-crm-reader-not-a-secret';

const HEALTH = `{
  integrationHealth {
    systems { system state reason breaker lastError { code } last5Minutes { requests errors errorRate p50Ms p99Ms perMinute { requests } } }
    webhooks { vendor accepted duplicate rejected rejectedSignature rejectedStale lagMs lastReceivedAt }
    failedWork { id }
  }
}`;

interface SystemRow {
  system: string;
  state: string;
  reason: string;
  breaker: string;
  lastError: { code: string } | null;
  last5Minutes: {
    requests: number;
    errors: number;
    errorRate: number;
    p50Ms: number | null;
    p99Ms: number | null;
    perMinute: { requests: number }[];
  };
}
interface WebhookRow {
  vendor: string;
  accepted: number;
  duplicate: number;
  rejected: number;
  rejectedSignature: number;
  rejectedStale: number;
  lagMs: number | null;
  lastReceivedAt: string | null;
}
interface Health {
  integrationHealth: { systems: SystemRow[]; webhooks: WebhookRow[]; failedWork: unknown[] | null } | null;
}

/** A read of all three systems: contacts (CRM), their billing customers and their owners' chat users. */
const ALL_THREE = '{ contacts(first: 5) { nodes { id billingCustomer { id } owner { chatUser { id } } } } }';
const BILLING_READ = '{ customers(first: 1) { nodes { id } } }';

describe('integration health', () => {
  let stack: Stack;
  let served: Served;

  const health = async () => {
    const result = await stack.query<Health>(HEALTH);
    expect(result.errors).toBeUndefined();
    return result.data!.integrationHealth!;
  };
  const system = async (name: string) => (await health()).systems.find((row) => row.system === name)!;
  const states = async () => Object.fromEntries((await health()).systems.map((row) => [row.system, row.state]));

  beforeAll(async () => {
    stack = await startStack({
      world: { size: 50 },
      env: {
        ...NO_CACHE_ENV,
        SWITCHBOARD_API_KEYS: [TEST_API_KEYS_ENV, apiKeyConfigEntry('crm-reader', CRM_READER, ['crm:read'])].join(','),
      },
    });
    served = await serve(stack.gateway);
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it('shows all three systems HEALTHY with their traffic after a read of each', async () => {
    const read = await stack.query(ALL_THREE);
    expect(read.errors).toBeUndefined();
    const rows = (await health()).systems;
    expect(rows.map((row) => [row.system, row.state, row.breaker])).toEqual([
      ['crm', 'HEALTHY', 'CLOSED'],
      ['billing', 'HEALTHY', 'CLOSED'],
      ['chat', 'HEALTHY', 'CLOSED'],
    ]);
    for (const row of rows) {
      expect(row.last5Minutes.requests, row.system).toBeGreaterThan(0);
      expect(row.last5Minutes.errors).toBe(0);
      expect(row.last5Minutes.perMinute).toHaveLength(5);
      expect(row.last5Minutes.p50Ms).not.toBeNull();
      expect(row.last5Minutes.p99Ms!).toBeGreaterThanOrEqual(row.last5Minutes.p50Ms!);
    }
  });

  it('marks billing DOWN with its error while it refuses connections, keeps CRM and chat HEALTHY, and sees it recover', async () => {
    // Subscribed first: every state change from here on is an event.
    const changes = await subscribeSse<{
      integrationHealthChanged: { system: string; previousState: string; state: string; health: { breaker: string } };
    }>(served.url, 'subscription { integrationHealthChanged { system previousState state reason health { breaker } } }');
    try {
      await sandboxAdmin(stack.sandbox, 'billing', 'knobs', { outage: 'refuse' });
      await vi.waitFor(
        async () => {
          await stack.query(BILLING_READ);
          await stack.query(ALL_THREE);
          expect((await system('billing')).state).toBe('DOWN');
        },
        { timeout: 30_000, interval: 100 },
      );
      const billing = await system('billing');
      expect(billing.breaker).toBe('OPEN');
      expect(billing.lastError?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(billing.reason).toMatch(/breaker open/);
      expect(billing.last5Minutes.errors).toBeGreaterThan(0);
      expect(await states()).toEqual({ crm: 'HEALTHY', billing: 'DOWN', chat: 'HEALTHY' });

      // The subscription told of the way down (a sample may catch it DEGRADED before the breaker opens).
      const events = () => changes.received.map((event) => event.data!.integrationHealthChanged);
      await vi.waitFor(() => expect(events().map((event) => event.state)).toContain('DOWN'), { timeout: 15_000 });
      expect(events().find((event) => event.state === 'DOWN')).toMatchObject({ system: 'billing', health: { breaker: 'OPEN' } });
      expect(events()[0]).toMatchObject({ system: 'billing', previousState: 'HEALTHY' });

      // Lifted through another server's admin API: billing's own port is closed.
      await sandboxAdmin(stack.sandbox, 'crm', 'systems/billing/knobs', { outage: 'none' });
      await vi.waitFor(
        async () => {
          await stack.query(BILLING_READ);
          expect((await system('billing')).state).toBe('HEALTHY');
        },
        { timeout: 60_000, interval: 250 },
      );
      expect((await system('billing')).breaker).toBe('CLOSED');
      await vi.waitFor(() => expect(events().at(-1)).toMatchObject({ system: 'billing', previousState: 'DOWN', state: 'HEALTHY' }), {
        timeout: 15_000,
      });
      // Each event starts where the one before it ended, and none is about CRM or chat.
      events().forEach((event, i) => i > 0 && expect(event.previousState).toBe(events()[i - 1].state));
      expect(events().every((event) => event.system === 'billing')).toBe(true);
    } finally {
      changes.close();
      await sandboxAdmin(stack.sandbox, 'crm', 'systems/billing/knobs', { outage: 'none' });
    }
  }, 120_000);

  it('reports the last catch-up: when, how many changes per system, and how far behind its cursor was', async () => {
    const lastCatchUp = async () =>
      (
        await stack.query<{
          integrationHealth: {
            lastCatchUp: { at: string; changes: number; systems: { system: string; changes: number; behindMs: number | null }[] } | null;
          };
        }>('{ integrationHealth { lastCatchUp { at changes systems { system changes behindMs } } } }')
      ).data!.integrationHealth.lastCatchUp;
    expect(await lastCatchUp()).toBeNull();
    // First start: the cursors are set to now, nothing to catch up, nothing behind.
    await stack.gateway.catchUp();
    const first = await lastCatchUp();
    expect(first).toMatchObject({
      changes: 0,
      systems: [
        { system: 'crm', changes: 0, behindMs: null },
        { system: 'billing', changes: 0, behindMs: null },
      ],
    });
    // A change no webhook delivered (none is registered here): the next catch-up reads it from the vendor's feed.
    const contactId = stack.sandbox.world.contacts[7].id;
    await sandboxAdmin(stack.sandbox, 'crm', 'edit', { objectType: 'contacts', id: contactId, properties: { jobtitle: 'Missed' } });
    const report = await stack.gateway.catchUp();
    const second = await lastCatchUp();
    expect(report.crm).toBeGreaterThan(0);
    expect(second!.changes).toBe((report.crm ?? 0) + (report.billing ?? 0));
    expect(second!.systems.find((row) => row.system === 'crm')).toMatchObject({ changes: report.crm });
    expect(second!.systems.find((row) => row.system === 'crm')!.behindMs).toBeGreaterThanOrEqual(0);
    expect(new Date(second!.at).getTime()).toBeGreaterThanOrEqual(new Date(first!.at).getTime());
  });

  it('counts a webhook delivery as accepted, its repeat as a duplicate and a forged one as rejected', async () => {
    const created = Math.floor(Date.now() / 1000) - 2;
    const body = JSON.stringify({
      id: 'evt_health_1',
      object: 'event',
      type: 'customer.updated',
      created,
      data: { object: { id: 'cus_health', object: 'customer', email: 'health@example.com' } },
    });
    const post = (signature: string) =>
      fetch(`${served.url}/webhooks/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body,
      });
    const now = Math.floor(Date.now() / 1000);
    const stripe = async () => (await health()).webhooks.find((row) => row.vendor === 'stripe')!;
    expect(await stripe()).toMatchObject({ accepted: 0, duplicate: 0, rejected: 0, lastReceivedAt: null });

    expect((await post(stripeSignatureHeader(SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret, body, now))).status).toBe(200);
    const accepted = await stripe();
    expect(accepted).toMatchObject({ accepted: 1, duplicate: 0, rejected: 0 });
    // Received at least a second after the event's time (it is `created - 2` s, to the second).
    expect(accepted.lagMs).toBeGreaterThanOrEqual(1000);

    expect((await post(stripeSignatureHeader(SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret, body, now))).status).toBe(200);
    expect(await stripe()).toMatchObject({ accepted: 1, duplicate: 1, rejected: 0 });

    expect((await post(stripeSignatureHeader('whsec_forged', body, now))).status).toBe(401);
    expect(await stripe()).toMatchObject({ accepted: 1, duplicate: 1, rejected: 1, rejectedSignature: 1, rejectedStale: 0 });
    expect((await post(stripeSignatureHeader(SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret, body, now - 600))).status).toBe(401);
    expect(await stripe()).toMatchObject({ rejected: 2, rejectedSignature: 1, rejectedStale: 1 });
    // The other vendors saw nothing.
    for (const row of (await health()).webhooks.filter((w) => w.vendor !== 'stripe'))
      expect(row).toMatchObject({ accepted: 0, rejected: 0 });
  });

  it('refuses a key without ops:read (403 FORBIDDEN, the whole request) and a request without a key (401), with no data', async () => {
    const refused = await stack.query<Health>(HEALTH, undefined, { authorization: `Bearer ${CRM_READER}` });
    expect(refused.status).toBe(403);
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(refused.data ?? null).toBeNull();
    // Beside a field the key may read, through a fragment: still refused whole, nothing executed.
    const calls = stack.counts();
    const mixed = await stack.query(
      'query Mixed { contacts(first: 1) { nodes { id } } ...Ops } fragment Ops on Query { ... on Query { integrationHealth { systems { system } } } }',
      undefined,
      { authorization: `Bearer ${CRM_READER}` },
    );
    expect(mixed.status).toBe(403);
    expect(mixed.data ?? null).toBeNull();
    expect(mixed.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: ['ops:read'] });
    expect(stack.counts()).toEqual(calls);
    // The subscription too: refused before it starts, as one 403 answer rather than a stream.
    const stream = await stack.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${CRM_READER}` },
      body: JSON.stringify({ query: 'subscription { integrationHealthChanged { system state } }' }),
    });
    expect(stream.status).toBe(403);
    expect(await stream.text()).toMatch(/FORBIDDEN/);
    const anonymous = await stack.query<Health>(HEALTH, undefined, { authorization: '' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.data ?? null).toBeNull();
    // The page is public and carries no data of its own: its script reads the query with the key it is given.
    const page = await stack.fetch('/status');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/connect-src 'self'/);
    const html = await page.text();
    expect(html).not.toMatch(/HEALTHY|UPSTREAM_UNAVAILABLE|evt_health/);
  });
  // Last of this stack: the 429s keep CRM THROTTLED for the recent window.
  it('marks CRM THROTTLED while the vendor answers 429, with the 429s counted, and the others unaffected', async () => {
    await sandboxAdmin(stack.sandbox, 'crm', 'knobs', { rateLimitForMs: 600_000 });
    try {
      await vi.waitFor(
        async () => {
          await stack.query('{ contacts(first: 1) { nodes { id } } }');
          expect((await system('crm')).state).toBe('THROTTLED');
        },
        { timeout: 30_000, interval: 100 },
      );
      const crm = (
        await stack.query<{ integrationHealth: { systems: { system: string; reason: string; rateLimited: number; breaker: string }[] } }>(
          '{ integrationHealth { systems { system reason rateLimited breaker } } }',
        )
      ).data!.integrationHealth.systems.find((row) => row.system === 'crm')!;
      expect(crm.rateLimited).toBeGreaterThan(0);
      expect(crm.reason).toMatch(/429/);
      // A 429 is the vendor pacing us, not failing: the breaker stays closed.
      expect(crm.breaker).toBe('CLOSED');
      expect((await states()).chat).toBe('HEALTHY');
    } finally {
      await sandboxAdmin(stack.sandbox, 'crm', 'knobs', { rateLimitedUntil: 0 });
    }
  });
});

describe('integration health: failed work and the response cache', () => {
  let stack: Stack;
  let failCloseDeal = false;
  beforeAll(async () => {
    // Default TTLs, response cache on: an answer it kept would be served again for 60 s.
    stack = await startStack({
      world: { size: 50 },
      env: { RESPONSE_CACHE: '1' },
      // The CRM fails while (and only while) winDeal's first step runs, when a test asks for it.
      onWorkflowStep: async (event) => {
        if (!failCloseDeal || event.step !== 'crm.closeDeal') return;
        await stack.sandbox.server('crm').setKnobs({ errorRate: event.phase === 'start' ? 1 : 0 });
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers from the model every time, never from the response cache', async () => {
    const query = '{ integrationHealth { generatedAt systems { system last5Minutes { requests } } } }';
    type Answer = { integrationHealth: { generatedAt: string; systems: { system: string; last5Minutes: { requests: number } }[] } };
    const crmRequests = (answer: Answer) => answer.integrationHealth.systems.find((row) => row.system === 'crm')!.last5Minutes.requests;
    const before = await stack.query<Answer>(query);
    expect(before.errors).toBeUndefined();
    expect((await stack.query(ALL_THREE)).errors).toBeUndefined();
    const after = await stack.query<Answer>(query);
    expect(crmRequests(after.data!)).toBeGreaterThan(crmRequests(before.data!));
  });

  it('lists a cross-system write that failed, with its steps and request id', async () => {
    const [deal] = await openDeals(stack, 1);
    failCloseDeal = true;
    const won = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key: `health-${deal.id}`, dealId: deal.id, channel: '#general' });
    failCloseDeal = false;
    expect(won.errors, JSON.stringify(won.errors)).toBeUndefined();
    expect(won.data!.winDeal.status).toBe('FAILED');
    const requestId = won.headers.get('x-request-id');
    const failed = await stack.query<{
      integrationHealth: {
        failedWork: { operation: string; outcome: string; requestId: string | null; steps: { name: string; status: string }[] }[];
      };
    }>('{ integrationHealth { failedWork { operation outcome requestId errorCode steps { name status } } } }');
    expect(failed.errors).toBeUndefined();
    expect(failed.data!.integrationHealth.failedWork).toHaveLength(1);
    expect(failed.data!.integrationHealth.failedWork[0]).toMatchObject({
      operation: 'winDeal',
      outcome: 'FAILED',
      requestId,
      steps: expect.arrayContaining([{ name: 'crm.closeDeal', status: 'FAILED' }]) as unknown,
    });
  });
});
