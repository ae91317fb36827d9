/**
 * Vendor quotas follow the vendor plan: HUBSPOT_PLAN picks HubSpot's 10-second limit (search
 * has 4 a second of its own), SLACK_APP_DISTRIBUTION=non-marketplace holds Slack history reads
 * to 1 call a minute and 15 messages a call. The gateway is pointed at the sandbox as at a
 * vendor (base URL and credential configured), so its budgets are on, and the sandbox enforces
 * the same tiers: a 429 in its request log means the budget let the gateway overrun them.
 */
import fc from 'fast-check';
import { type ChatEmulator, SANDBOX_CREDENTIALS, type Sandbox, startSandbox } from '@switchboard/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type EnvLike } from '../src/config.ts';
import { startStack, type GraphQLResponse, type Stack } from './support/stack.ts';
import { busiestWindow } from './support/windows.ts';

/** Settings that make the gateway treat the sandbox's CRM and Slack as the vendors (budgets on). */
function asVendors(sandbox: Sandbox): EnvLike {
  return {
    HUBSPOT_BASE_URL: sandbox.urls.crm,
    HUBSPOT_TOKEN: SANDBOX_CREDENTIALS.crm,
    SLACK_BASE_URL: `${sandbox.urls.chat}/api`,
    SLACK_BOT_TOKEN: SANDBOX_CREDENTIALS.chat,
  };
}

async function admin(sandbox: Sandbox, system: 'crm' | 'chat', path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.urls[system]}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

function configProblems(env: EnvLike): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('HUBSPOT_PLAN and SLACK_APP_DISTRIBUTION settings', () => {
  it('default to starter and internal, and take each allowed value', () => {
    expect(loadConfig({}).resilience.plans).toEqual({ crm: 'starter', chat: 'internal' });
    for (const plan of ['free', 'starter', 'professional', 'enterprise'])
      expect(loadConfig({ HUBSPOT_PLAN: plan }).resilience.plans.crm).toBe(plan);
    for (const distribution of ['internal', 'marketplace', 'non-marketplace'])
      expect(loadConfig({ SLACK_APP_DISTRIBUTION: distribution }).resilience.plans.chat).toBe(distribution);
  });

  it('name the setting and the allowed values when a value is wrong, both at once', () => {
    const problems = configProblems({ HUBSPOT_PLAN: 'gold', SLACK_APP_DISTRIBUTION: 'public' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^HUBSPOT_PLAN: must be one of free, starter, professional, enterprise \(got "gold"\) — /);
    expect(problems[1]).toMatch(/^SLACK_APP_DISTRIBUTION: must be one of internal, marketplace, non-marketplace \(got "public"\) — /);
  });

  it('keep history pages a minute under a non-Marketplace app, unless CACHE_TTL_MESSAGE says otherwise', () => {
    expect(loadConfig({}).cache.ttlSeconds.message).toBe(15);
    expect(loadConfig({ SLACK_APP_DISTRIBUTION: 'non-marketplace' }).cache.ttlSeconds.message).toBe(60);
    expect(loadConfig({ SLACK_APP_DISTRIBUTION: 'non-marketplace', CACHE_TTL_MESSAGE: '5' }).cache.ttlSeconds.message).toBe(5);
  });
});

interface Readiness {
  systems: Record<string, { budgetLeft: Record<string, number> | null }>;
}

describe('the HubSpot budget follows HUBSPOT_PLAN', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ world: { size: 60 } });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  /** Slots left in the CRM's main bucket right after one contact read, as /readiness reports them. */
  async function leftAfterOneRead(env: EnvLike): Promise<number> {
    const stack = await startStack({ sandbox, env: { ...asVendors(sandbox), ...env } });
    try {
      const result = await stack.query(`{ contact(id: "${sandbox.world.contacts[0].id}") { id } }`);
      expect(result.errors).toBeUndefined();
      const readiness = (await (await stack.fetch('/readiness')).json()) as Readiness;
      return readiness.systems.crm.budgetLeft!.all;
    } finally {
      await stack.close();
    }
  }

  it('allows 100 calls per 10 s on starter (the default) and 190 on professional; UPSTREAM_BUDGET_CRM still wins', async () => {
    // A start-up call or two may share the window: what is left is the limit less the calls made.
    const starter = await leftAfterOneRead({});
    expect(starter).toBeLessThanOrEqual(99);
    expect(starter).toBeGreaterThanOrEqual(90);
    const professional = await leftAfterOneRead({ HUBSPOT_PLAN: 'professional' });
    expect(professional).toBeLessThanOrEqual(189);
    expect(professional).toBeGreaterThanOrEqual(180);
    const overridden = await leftAfterOneRead({ HUBSPOT_PLAN: 'professional', UPSTREAM_BUDGET_CRM: '20/10s' });
    expect(overridden).toBeLessThanOrEqual(19);
  });
});

describe('CRM searches under their own 4-a-second bucket', () => {
  // A sandbox per test: HubSpot's search window must start empty, and only a reseed clears it.
  let sandbox: Sandbox | undefined;
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    await sandbox?.close();
    stack = sandbox = undefined;
  });

  /** The gateway against a HubSpot on the starter tier that enforces its limits, search at 4 a second. */
  async function start(env: EnvLike): Promise<{ sandbox: Sandbox; stack: Stack }> {
    sandbox = await startSandbox({ world: { size: 60 } });
    stack = await startStack({ sandbox, env: { ...asVendors(sandbox), ...env } });
    await admin(sandbox, 'crm', '/__sandbox/limits', { plan: 'starter', enforceTenSecondly: true, searchPerSecond: 4 });
    sandbox.server('crm').requests.reset();
    return { sandbox, stack };
  }

  const log = (sandbox: Sandbox) => sandbox.server('crm').requests.entries;
  // Every search, the gateway's own start-up catch-up included: they share the bucket.
  const searchTimes = (sandbox: Sandbox) =>
    log(sandbox)
      .filter((e) => e.path.endsWith('/search'))
      .map((e) => e.at);
  /** The searches the test's queries made. */
  const ourSearches = (sandbox: Sandbox) => log(sandbox).filter((e) => e.path.endsWith('/search') && e.body?.includes('nobody'));
  const search = (stack: Stack, i: number) => stack.query(`{ contacts(first: 5, filter: { name: "nobody${i}" }) { nodes { id } } }`);

  it("is emulated by the sandbox: a plan sets HubSpot's figures and its headers say them", async () => {
    sandbox = await startSandbox({ world: { size: 10 } });
    expect(await admin(sandbox, 'crm', '/__sandbox/limits', { plan: 'starter' })).toMatchObject({ tenSecondlyMax: 100, dailyMax: 250_000 });
    const contact = await fetch(`${sandbox.urls.crm}/crm/v3/objects/contacts/${sandbox.world.contacts[0].id}`, {
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.crm}` },
    });
    expect(contact.headers.get('x-hubspot-ratelimit-max')).toBe('100');
    expect(await admin(sandbox, 'crm', '/__sandbox/limits', { plan: 'professional' })).toMatchObject({
      tenSecondlyMax: 190,
      dailyMax: 625_000,
    });
    const bad = await fetch(`${sandbox.urls.crm}/__sandbox/limits`, { method: 'POST', body: JSON.stringify({ plan: 'gold' }) });
    expect(bad.status).toBe(400);
  });

  it('refuses the searches past 4 at once (no wait allowed) while plain reads all go', async () => {
    const { sandbox, stack } = await start({ UPSTREAM_BUDGET_MAX_WAIT_MS: '0', CACHE_TTL_CONTACT: '0' });
    const searches = await Promise.all(Array.from({ length: 10 }, (_, i) => search(stack, i)));
    const reads = await Promise.all(sandbox.world.contacts.slice(0, 10).map((c) => stack.query(`{ contact(id: "${c.id}") { id } }`)));

    const answered = searches.filter((r) => r.errors === undefined);
    const refused = searches.filter((r) => r.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    expect(answered.length + refused.length).toBe(10);
    for (const r of refused) expect(r.errors![0].extensions).toMatchObject({ service: 'crm', retryAfter: expect.any(Number) });
    // What reached HubSpot: no second held more than 4 searches, each answered search made one, the refused none.
    expect(ourSearches(sandbox)).toHaveLength(answered.length);
    expect(busiestWindow(searchTimes(sandbox), 1000)).toBeLessThanOrEqual(4);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    // The search bucket spent takes nothing from the other routes' 100 per 10 s.
    expect(reads.map((r) => r.errors)).toEqual(reads.map(() => undefined));
    expect(log(sandbox).filter((e) => /\/objects\/contacts\/\d+$/.test(e.path))).toHaveLength(10);
    expect(log(sandbox).filter((e) => e.status === 429)).toEqual([]);
  });

  it('paces a burst of searches when callers may wait, and HubSpot never answers 429', async () => {
    const { sandbox, stack } = await start({ UPSTREAM_BUDGET_MAX_WAIT_MS: '5000' });
    const searches = await Promise.all(Array.from({ length: 9 }, (_, i) => search(stack, i)));
    expect(searches.map((r) => r.errors)).toEqual(searches.map(() => undefined));
    expect(ourSearches(sandbox)).toHaveLength(9);
    expect(busiestWindow(searchTimes(sandbox), 1000)).toBeLessThanOrEqual(4);
    expect(log(sandbox).filter((e) => e.status === 429)).toEqual([]);
  }, 30_000);
});

interface MessagePage {
  channelMessages: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null;
}

const PAGE =
  'query($c: ID!, $first: Int, $after: String) { channelMessages(channel: $c, first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }';

describe('channelMessages under a non-Marketplace Slack app', () => {
  let sandbox: Sandbox;
  let general: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ world: { size: 60 } });
    const store = (sandbox.server('chat').vendor as ChatEmulator).store;
    general = store.resolveChannel('general')!.conversation.id;
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  /** Slack's strict tier on, with a fresh window (configuring clears the sandbox's call log). */
  const strictTier = () => admin(sandbox, 'chat', '/__sandbox/limits', { enforce: true, distribution: 'non-marketplace' });
  const historyCalls = () => sandbox.server('chat').requests.entries.filter((e) => e.path.endsWith('/conversations.history'));
  const slack429s = () => sandbox.server('chat').requests.entries.filter((e) => e.status === 429);
  const page = (stack: Stack, first: number, after: string | null = null) =>
    stack.query<MessagePage>(PAGE, { c: general, first, after }) as Promise<GraphQLResponse<MessagePage>>;

  it('is emulated by the sandbox: 15 messages a page whatever the limit, then 429 ratelimited with Retry-After', async () => {
    await strictTier();
    const call = () =>
      fetch(`${sandbox.urls.chat}/api/conversations.history?channel=${general}&limit=40`, {
        headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.chat}` },
      });
    const first = await call();
    const body = (await first.json()) as { ok: boolean; messages: unknown[]; response_metadata: { next_cursor: string } };
    expect(body.ok).toBe(true);
    expect(body.messages).toHaveLength(15);
    expect(body.response_metadata.next_cursor).not.toBe('');
    const second = await call();
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await second.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('asks for 15 a call, serves a repeat from cache, and refuses the next page within the minute without calling Slack', async () => {
    const stack = await startStack({ sandbox, env: { ...asVendors(sandbox), SLACK_APP_DISTRIBUTION: 'non-marketplace' } });
    try {
      await strictTier();
      sandbox.server('chat').requests.reset();
      const first = await page(stack, 40);
      expect(first.errors).toBeUndefined();
      expect(first.data!.channelMessages!.nodes).toHaveLength(15);
      expect(first.data!.channelMessages!.pageInfo.hasNextPage).toBe(true);
      expect(historyCalls()).toHaveLength(1);
      expect(new URLSearchParams(historyCalls()[0].search).get('limit')).toBe('15');

      // The same page again, also asked as a different size that the tier cuts to the same 15.
      for (const size of [40, 20]) {
        const again = await page(stack, size);
        expect(again.errors).toBeUndefined();
        expect(again.data!.channelMessages!.nodes).toEqual(first.data!.channelMessages!.nodes);
      }
      expect(historyCalls()).toHaveLength(1);

      const next = await page(stack, 40, first.data!.channelMessages!.pageInfo.endCursor);
      expect(next.data!.channelMessages).toBeNull();
      expect(next.errors).toHaveLength(1);
      expect(next.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'chat' });
      expect(next.errors![0].extensions!.retryAfter as number).toBeGreaterThan(0);
      expect(next.errors![0].extensions!.retryAfter as number).toBeLessThanOrEqual(60);
      // The gateway's budget refused it: Slack saw no second history call, so never had to answer 429.
      expect(historyCalls()).toHaveLength(1);
      expect(slack429s()).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it('property: any sequence of page requests stays within the tier, each answered with data or RATE_LIMITED + retryAfter', async () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('top' as const), first: fc.integer({ min: 1, max: 100 }) }),
      fc.record({ kind: fc.constant('next' as const), first: fc.integer({ min: 1, max: 100 }) }),
      fc.record({ kind: fc.constant('repeat' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        // A fresh gateway and a fresh Slack window per run: a run's first history call is always the one allowed.
        const stack = await startStack({ sandbox, env: { ...asVendors(sandbox), SLACK_APP_DISTRIBUTION: 'non-marketplace' } });
        try {
          await strictTier();
          sandbox.server('chat').requests.reset();
          let cursor: string | null = null;
          let last: { first: number; after: string | null } = { first: 20, after: null };
          for (const s of steps) {
            const ask: { first: number; after: string | null } =
              s.kind === 'repeat' ? last : { first: s.first, after: s.kind === 'next' ? cursor : null };
            const result = await page(stack, ask.first, ask.after);
            last = ask;
            const connection = result.data?.channelMessages;
            if (connection) {
              expect(result.errors).toBeUndefined();
              expect(connection.nodes.length).toBeLessThanOrEqual(Math.min(15, ask.first));
              cursor = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : cursor;
            } else {
              expect(result.errors).toHaveLength(1);
              expect(result.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'chat' });
              expect(result.errors![0].extensions!.retryAfter as number).toBeGreaterThan(0);
            }
          }
          expect(slack429s()).toEqual([]);
          expect(historyCalls().length).toBeLessThanOrEqual(1);
          for (const call of historyCalls()) expect(Number(new URLSearchParams(call.search).get('limit'))).toBeLessThanOrEqual(15);
        } finally {
          await stack.close();
        }
      }),
      { seed: 20261207, numRuns: 12 },
    );
  }, 120_000);
});
