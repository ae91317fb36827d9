/**
 * Client-side vendor-quota budgets: the gateway stops itself before the vendor's quota is
 * spent, waits briefly when a token is about to come back, and — with Redis — several
 * gateway instances together stay under one configured budget.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createCrmEmulator, type Sandbox, SANDBOX_CREDENTIALS, SandboxServer, startSandbox } from '@switchboard/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/observability/logger.ts';
import { resolveUpstreams } from '../src/upstreams.ts';
import { TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from './support/credentials.ts';
import { hasService } from './support/services.ts';
import { startStack, type Stack } from './support/stack.ts';
import { freePort } from './support/ports.ts';
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

describe('an in-memory budget', () => {
  let stack: Stack;
  afterAll(async () => {
    await stack?.close();
  });

  it('fails with RATE_LIMITED and retryAfter, without calling the vendor, once the budget is spent', async () => {
    stack = await startStack({ world: { size: 30 }, env: { UPSTREAM_BUDGET_CRM: '3/1m', UPSTREAM_BUDGET_MAX_WAIT_MS: '0' } });
    const ids = stack.sandbox.world.contacts.slice(0, 6).map((c) => c.id);
    stack.resetCounts();
    const results: Result[] = [];
    for (const id of ids) results.push((await stack.query<Result['data']>(`{ contact(id: "${id}") { id } }`)) as Result);
    expect(results.slice(0, 3).every((r) => r.errors === undefined)).toBe(true);
    for (const r of results.slice(3)) {
      expect(r.data!.contact).toBeNull();
      expect(r.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'crm' });
      // The window frees its first slot a minute after the first call ended.
      expect(r.errors![0].extensions!.retryAfter as number).toBeGreaterThanOrEqual(1);
      expect(r.errors![0].extensions!.retryAfter as number).toBeLessThanOrEqual(60);
    }
    expect(stack.counts().crm).toBe(3);
    const readiness = (await (await stack.gateway.yoga.fetch('http://gateway.test/readiness')).json()) as {
      systems: { crm: { budgetLeft: Record<string, number> } };
    };
    expect(readiness.systems.crm.budgetLeft).toEqual({ all: 0 });
  });

  it('waits briefly for a slot that is about to free instead of failing', async () => {
    await stack?.close();
    // Two calls per 300 ms window, and callers may wait up to 400 ms for a slot.
    stack = await startStack({ world: { size: 30 }, env: { UPSTREAM_BUDGET_CRM: '2/300ms', UPSTREAM_BUDGET_MAX_WAIT_MS: '400' } });
    const ids = stack.sandbox.world.contacts.slice(0, 6).map((c) => c.id);
    stack.resetCounts();
    const startedAt = Date.now();
    for (const id of ids) {
      const r = await stack.query(`{ contact(id: "${id}") { id } }`);
      expect(r.errors).toBeUndefined();
    }
    const elapsed = Date.now() - startedAt;
    console.log(`6 calls under a 2/300ms budget took ${elapsed} ms`);
    expect(stack.counts().crm).toBe(6);
    // The budget paced them: no 300 ms window at the vendor saw more than two.
    expect(
      busiestWindow(
        stack.sandbox.server('crm').requests.entries.map((e) => e.at),
        300,
      ),
    ).toBeLessThanOrEqual(2);
  });
});

describe.runIf(hasService('redis'))('a budget shared through Redis', () => {
  let sandbox: Sandbox;
  const gateways: Gateway[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ world: { size: 40 } });
    const namespace = `budget-test-${randomUUID()}`;
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
      RATE_LIMIT_PER_MINUTE: '0',
      REDIS_URL: 'redis://127.0.0.1:6379',
      UPSTREAM_BUDGET_CRM: '5/1m',
      UPSTREAM_BUDGET_MAX_WAIT_MS: '0',
    });
    for (let i = 0; i < 2; i++) {
      gateways.push(
        createGateway({
          config,
          upstreams: resolveUpstreams(config, sandbox),
          logger: createLogger('silent'),
          cacheNamespace: namespace,
        }),
      );
    }
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await sandbox?.close();
  });

  it('keeps two gateway instances together under the configured vendor budget', async () => {
    const ids = sandbox.world.contacts.slice(0, 16).map((c) => c.id);
    sandbox.server('crm').requests.reset();
    // Both instances at once, eight different contacts each.
    const results = await Promise.all(ids.map((id, i) => contactVia(gateways[i % 2], id)));
    const ok = results.filter((r) => r.errors === undefined);
    const limited = results.filter((r) => r.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
    const crmCalls = sandbox.server('crm').requests.total;
    console.log(`shared budget 5/1m: ${ok.length} answered, ${limited.length} RATE_LIMITED, ${crmCalls} CRM calls from 2 instances`);
    expect(crmCalls).toBe(5);
    expect(ok).toHaveLength(5);
    expect(limited).toHaveLength(11);
    for (const r of limited) expect(r.errors![0].extensions).toMatchObject({ service: 'crm', retryAfter: expect.any(Number) });
    // Each instance drew from the same bucket: neither got five on its own.
    const okPerInstance = [0, 1].map((g) => results.filter((r, i) => i % 2 === g && r.errors === undefined).length);
    expect(okPerInstance[0] + okPerInstance[1]).toBe(5);
  });
});

describe.runIf(hasService('redis'))('two gateway processes sharing Redis', () => {
  let sandbox: Sandbox;
  let crm: SandboxServer;
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ world: { size: 40 }, systems: ['billing', 'chat'] });
    // Budgets are per credential, shared by every process using it; a HubSpot token of this
    // run's own keeps other runs on the same Redis out of this bucket.
    const token = `pat-test-${randomUUID()}`;
    crm = new SandboxServer(createCrmEmulator(sandbox.world, { token }));
    const crmUrl = await crm.listen(0);
    const outputs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      ports.push(port);
      outputs.push('');
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/main.ts', 'serve'], {
        env: {
          ...process.env,
          PORT: String(port),
          LOG_LEVEL: 'warn',
          SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
          RATE_LIMIT_PER_MINUTE: '0',
          REDIS_URL: 'redis://127.0.0.1:6379',
          CACHE_TTL_CONTACT: '0',
          UPSTREAM_BUDGET_CRM: '20/1m',
          UPSTREAM_BUDGET_MAX_WAIT_MS: '0',
          SHUTDOWN_GRACE_MS: '0',
          HUBSPOT_BASE_URL: crmUrl,
          HUBSPOT_TOKEN: token,
          STRIPE_BASE_URL: sandbox.urls.billing,
          STRIPE_API_KEY: SANDBOX_CREDENTIALS.billing,
          SLACK_BASE_URL: `${sandbox.urls.chat}/api`,
          SLACK_BOT_TOKEN: SANDBOX_CREDENTIALS.chat,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (chunk: Buffer) => (outputs[i] += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (outputs[i] += chunk.toString()));
      children.push(child);
    }
    // Both start at once; on a loaded machine a cold `tsx` start can take tens of seconds.
    const started = () => outputs.every((o) => o.includes('Switchboard gateway on'));
    for (let t = 0; t < 1200 && !started() && children.every((c) => c.exitCode === null); t++) await new Promise((r) => setTimeout(r, 100));
    for (const output of outputs) expect(output).toContain('Switchboard gateway on');
  }, 150_000);
  afterAll(async () => {
    await Promise.all(
      children.map((child) =>
        child.exitCode === null
          ? new Promise((resolve) => {
              child.once('exit', resolve);
              child.kill('SIGTERM');
            })
          : undefined,
      ),
    );
    await crm?.close();
    await sandbox?.close();
  });

  it('keeps both processes together under the configured HubSpot budget', async () => {
    // More distinct reads than the budget holds, whenever the processes' start-up calls arrive
    // (the change feed's catch-up may still be on its way when the queries start).
    const ids = sandbox.world.contacts.slice(0, 25).map((c) => c.id);
    // The request log is not reset: the processes' own start-up calls (the change feed's
    // catch-up) count against the same quota, and the vendor must see no more than 20 in all.
    for (let last = -1, t = 0; t < 50 && crm.requests.total !== last; t++) {
      last = crm.requests.total;
      await new Promise((r) => setTimeout(r, 300));
    }
    const beforeQueries = crm.requests.total;
    const results = await Promise.all(
      ids.map(async (id, i) => {
        const response = await fetch(`http://127.0.0.1:${ports[i % 2]}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...TEST_AUTH_HEADERS },
          body: JSON.stringify({ query: `{ contact(id: "${id}") { id } }` }),
        });
        return (await response.json()) as Result;
      }),
    );
    const ok = results.filter((r) => r.errors === undefined).length;
    const limited = results.filter((r) => r.errors?.[0]?.extensions?.code === 'RATE_LIMITED').length;
    // Every slot granted is used: a start-up call granted one while the queries ran may still be on its way.
    await vi.waitFor(() => expect(crm.requests.total).toBeGreaterThanOrEqual(20), { timeout: 15_000 });
    const crmCalls = crm.requests.total;
    console.log(
      `2 processes, shared budget 20/1m: ${beforeQueries} start-up calls, then ${ok} answered, ${limited} RATE_LIMITED; ${crmCalls} CRM calls in all`,
    );
    // No minute at the vendor holds more than 20 calls, however the calls were spread.
    // (Start-up catch-up takes 12 of them.)
    const log = crm.requests.entries;
    const spanMs = log[log.length - 1].at - log[0].at;
    console.log(`calls spread over ${spanMs} ms`);
    expect(
      busiestWindow(
        log.map((e) => e.at),
        60_000,
      ),
    ).toBeLessThanOrEqual(20);
    expect(crmCalls).toBeGreaterThanOrEqual(20);
    // Each answered query made its one contact read; the refused ones none. (Counted by what
    // was read, not by the total: the processes' own change-feed calls may still come in.)
    const contactReads = log.filter((e) => ids.some((id) => e.path.endsWith(`/${id}`) || (e.body ?? '').includes(`"${id}"`)));
    expect(contactReads).toHaveLength(ok);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(ok + limited).toBe(25);
    expect(limited).toBeGreaterThanOrEqual(1);
  });
});
