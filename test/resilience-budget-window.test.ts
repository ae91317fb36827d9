/**
 * Vendor budgets hold the vendor's own window: HubSpot counts calls in a rolling window, so
 * no window of the budget's length may ever see more calls than the budget, idle spells and
 * replicas notwithstanding. And a call that cannot get quota within
 * UPSTREAM_BUDGET_MAX_WAIT_MS fails at once with RATE_LIMITED, however the wait is made up.
 *
 * Everything is checked on what the sandbox recorded (each call's arrival), never on how long
 * something took: every window of length W over the recorded arrivals holds at most N.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/observability/logger.ts';
import { type Sandbox, startSandbox } from '@switchboard/sandbox';
import { createQuotaBudget, type WindowStore } from '../src/upstream/budget.ts';
import { resolveUpstreams } from '../src/upstreams.ts';
import { TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from './support/credentials.ts';
import { hasService } from './support/services.ts';
import { busiestWindow } from './support/windows.ts';

interface Result {
  data?: { contact: { id: string } | null } | null;
  errors?: { path?: string[]; extensions?: Record<string, unknown> }[];
}

async function contactVia(gateway: Gateway, id: string): Promise<Result> {
  const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...TEST_AUTH_HEADERS },
    body: JSON.stringify({ query: `{ contact(id: "${id}") { id } }` }),
  });
  return (await response.json()) as Result;
}

interface Harness {
  sandbox: Sandbox;
  gateways: Gateway[];
  close(): Promise<void>;
}

/** `replicas` gateway instances on one sandbox, sharing Redis when `redis` (one namespace). */
async function startReplicas(replicas: number, env: Record<string, string>, redis: boolean): Promise<Harness> {
  const sandbox = await startSandbox({ world: { size: 400 } });
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
    RATE_LIMIT_PER_MINUTE: '0',
    CACHE_TTL_CONTACT: '0',
    ...(redis ? { REDIS_URL: 'redis://127.0.0.1:6379' } : {}),
    ...env,
  });
  const namespace = `budget-window-${randomUUID()}`;
  const gateways: Gateway[] = [];
  for (let i = 0; i < replicas; i++) {
    const upstreams = resolveUpstreams(config, sandbox);
    gateways.push(createGateway({ config, upstreams, logger: createLogger('silent'), cacheNamespace: namespace }));
  }
  return {
    sandbox,
    gateways,
    async close() {
      for (const gateway of gateways) await gateway.close();
      await sandbox.close();
    },
  };
}

/**
 * Keeps every replica busy (waves of concurrent reads of distinct contacts) until the vendor
 * has seen `arrivals` calls: the budget is full most of the time, and it starts from idle.
 */
async function keepBusy(harness: Harness, arrivals: number): Promise<Result[]> {
  const crm = harness.sandbox.server('crm').requests;
  const contacts = harness.sandbox.world.contacts;
  const results: Result[] = [];
  for (let wave = 0, next = 0; crm.total < arrivals && wave < 400; wave++) {
    const batch = harness.gateways.flatMap((gateway) => [0, 1].map(() => contactVia(gateway, contacts[next++ % contacts.length].id)));
    results.push(...(await Promise.all(batch)));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return results;
}

function checkAnswers(results: Result[], windowSeconds: number) {
  for (const r of results) {
    if (r.errors === undefined) continue;
    expect(r.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'crm', retryAfter: expect.any(Number) });
    expect(r.errors[0].extensions!.retryAfter as number).toBeGreaterThanOrEqual(1);
    expect(r.errors[0].extensions!.retryAfter as number).toBeLessThanOrEqual(windowSeconds + 1);
  }
}

describe('an in-memory budget over a rolling window', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startReplicas(1, { UPSTREAM_BUDGET_CRM: '8/1s' }, false);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('never lets more than the budget into any window of its length, from idle on', async () => {
    const crm = harness.sandbox.server('crm').requests;
    const results = await keepBusy(harness, 25);
    const arrivals = crm.entries.map((e) => e.at);
    const ok = results.filter((r) => r.errors === undefined).length;
    const busiest = busiestWindow(arrivals, 1_000);
    console.log(`in memory 8/1s: ${results.length} reads, ${ok} answered, ${arrivals.length} CRM calls; busiest 1 s window ${busiest}`);
    expect(arrivals.length).toBeGreaterThanOrEqual(25);
    expect(busiest).toBeLessThanOrEqual(8);
    checkAnswers(results, 1);
  });
});

describe.each([{ store: 'in memory', redis: false }, ...(hasService('redis') ? [{ store: 'in Redis', redis: true }] : [])])(
  "a budget $store told by HubSpot's 429 to wait",
  ({ redis }) => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await startReplicas(1, { UPSTREAM_BUDGET_CRM: '50/10s' }, redis);
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('calls HubSpot no more until the wait it asked for has passed', async () => {
      const crm = harness.sandbox.server('crm');
      const [a, b] = harness.sandbox.world.contacts;
      // Longer than the client retries by itself: the 429 reaches the caller, and the window is full for 5 s.
      const body = { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', policyName: 'TEN_SECONDLY_ROLLING' };
      crm.script([{ status: 429, headers: { 'retry-after': '5' }, body }]);
      const limited = await contactVia(harness.gateways[0], a.id);
      expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'crm', retryAfter: 5 });
      const next = await contactVia(harness.gateways[0], b.id);
      expect(next.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'crm' });
      expect(next.errors![0].extensions!.retryAfter as number).toBeGreaterThanOrEqual(1);
      // HubSpot also said none of its window is left (X-HubSpot-RateLimit-Remaining: 0): at most its 10 s.
      expect(next.errors![0].extensions!.retryAfter as number).toBeLessThanOrEqual(10);
      // The budget refused the second read itself: HubSpot saw only the first.
      expect(crm.requests.total).toBe(1);
    });
  },
);

describe.runIf(hasService('redis'))('a budget shared through Redis over a rolling window', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startReplicas(2, { UPSTREAM_BUDGET_CRM: '20/2s' }, true);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('keeps two replicas together under 20 calls in every 2 s window, from idle on', async () => {
    const crm = harness.sandbox.server('crm').requests;
    const results = await keepBusy(harness, 50);
    const arrivals = crm.entries.map((e) => e.at);
    const ok = results.filter((r) => r.errors === undefined).length;
    const busiest = busiestWindow(arrivals, 2_000);
    console.log(`2 replicas 20/2s: ${results.length} reads, ${ok} answered, ${arrivals.length} CRM calls; busiest 2 s window ${busiest}`);
    expect(arrivals.length).toBeGreaterThanOrEqual(50);
    expect(busiest).toBeLessThanOrEqual(20);
    checkAnswers(results, 2);
  });
});

describe.runIf(hasService('redis'))('the longest wait for quota, across two replicas', () => {
  let harness: Harness;
  beforeAll(async () => {
    // A slot every 250 ms on average, and callers may wait 300 ms: a token bucket would make
    // every caller wait its turn in 250 ms steps; a full window frees no slot for 5 s.
    harness = await startReplicas(2, { UPSTREAM_BUDGET_CRM: '20/5s', UPSTREAM_BUDGET_MAX_WAIT_MS: '300' }, true);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('answers RATE_LIMITED at once, without calling the vendor, when no slot frees within the wait', async () => {
    const crm = harness.sandbox.server('crm').requests;
    const contacts = harness.sandbox.world.contacts.slice(0, 40);
    const results = await Promise.all(contacts.map((c, i) => contactVia(harness.gateways[i % 2], c.id)));
    const ok = results.filter((r) => r.errors === undefined).length;
    const limited = results.filter((r) => r.errors?.[0]?.extensions?.code === 'RATE_LIMITED').length;
    const arrivals = crm.entries.map((e) => e.at);
    console.log(`2 replicas 20/5s, 40 reads at once: ${ok} answered, ${limited} RATE_LIMITED, ${arrivals.length} CRM calls`);
    expect(ok + limited).toBe(40);
    // Only answered calls reached the vendor; the others were refused before calling it.
    expect(arrivals.length).toBe(ok);
    expect(busiestWindow(arrivals, 5_000)).toBeLessThanOrEqual(20);
    // Had each caller queued for its turn, all 40 would have been answered.
    expect(limited).toBeGreaterThanOrEqual(1);
    checkAnswers(results, 5);
  });
});

describe('a quota budget waiting for a slot', () => {
  it('gives up once the waits add up to UPSTREAM_BUDGET_MAX_WAIT_MS, not after each single wait', async () => {
    // A window whose freed slot is always taken by someone else just before: each look says "100 ms".
    let looks = 0;
    const store: WindowStore = {
      async take() {
        looks++;
        return { waitMs: 100, left: 0 };
      },
      async release() {},
      async adjust() {},
      async close() {},
    };
    const override = { limit: 1, windowMs: 1_000 };
    const budget = createQuotaBudget({ system: 'crm', scope: 'test', credential: 'pat-test', override, store, maxWaitMs: 250 });
    const failure = await budget.acquire('GET /crm/v3/objects/contacts/{id}', AbortSignal.timeout(5_000)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
    // 100 + 100 ms fit in 250 ms, a third wait does not: at most three looks.
    expect(looks).toBeLessThanOrEqual(3);
  });
});
