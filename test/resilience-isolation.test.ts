/**
 * A hanging vendor costs only its own fields and its own slots: requests end by their
 * deadline with the upstream socket closed, other systems keep answering, and identical
 * reads in flight together reach the vendor once. Also: the cost trace, /metrics and
 * /readiness an operator reads while this happens.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/observability/logger.ts';
import { type Sandbox, startSandbox } from '@switchboard/sandbox';
import { resolveUpstreams } from '../src/upstreams.ts';
import { TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from './support/credentials.ts';
import { startStack, type Stack } from './support/stack.ts';

const CONTACT_READ = 'GET /crm/v3/objects/:type/:id';
// A held answer waits at most this long; only a regression gets there (the assertions then fail).
const GATE_TIMEOUT_MS = 15_000;
const WAIT = { timeout: 10_000, interval: 10 };

async function post(gateway: Gateway, query: string, headers: Record<string, string> = {}) {
  const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...TEST_AUTH_HEADERS, ...headers },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { path?: string[]; message: string; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
}

describe('a vendor that accepts the request and never answers', () => {
  let sandbox: Sandbox;
  let hanging: Server;
  let gateway: Gateway;
  const opened: { closed: boolean }[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ world: { size: 20 } });
    // Stands in for Stripe: reads the request, then says nothing until the client hangs up.
    hanging = createServer((req) => {
      const state = { closed: false };
      opened.push(state);
      req.socket.on('close', () => (state.closed = true));
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
      RATE_LIMIT_PER_MINUTE: '0',
      REQUEST_DEADLINE_MS: '1000',
      UPSTREAM_TIMEOUT_MS: '20000',
      STRIPE_BASE_URL: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`,
      STRIPE_API_KEY: 'sk_test_hanging',
    });
    gateway = createGateway({
      config,
      upstreams: resolveUpstreams(config, sandbox),
      logger: createLogger('silent'),
      cacheNamespace: `t-${Date.now()}`,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    hanging?.closeAllConnections();
    await new Promise((resolve) => hanging?.close(resolve));
    await sandbox?.close();
  });

  it("answers within the call's share of the request deadline with UPSTREAM_TIMEOUT for billing, the CRM field intact, and closes the upstream socket", async () => {
    const contact = sandbox.world.contacts[0];
    const startedAt = Date.now();
    const result = await post(gateway, `{ contact(id: "${contact.id}") { id email } customer(id: "cus_hanging") { id } }`);
    const elapsed = Date.now() - startedAt;
    console.log(`hang: answered after ${elapsed} ms (deadline 1000 ms, a call's share 750 ms, per-attempt timeout 20000 ms)`);
    expect(result.data).toEqual({ contact: { id: contact.id, email: contact.email }, customer: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].path).toEqual(['customer']);
    expect(result.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', service: 'billing' });
    expect(result.errors![0].message).toMatch(/deadline/);
    // One call takes at most three quarters of what is left, so what waits on it still has time.
    expect(elapsed).toBeGreaterThanOrEqual(740);
    // The abandoned call does not linger: undici aborts it and the socket closes.
    await vi.waitFor(() => {
      expect(opened.length).toBeGreaterThanOrEqual(1);
      expect(opened.every((s) => s.closed)).toBe(true);
    }, WAIT);
  });
});

describe('billing hanging while CRM keeps answering', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      world: { size: 50 },
      env: {
        REQUEST_DEADLINE_MS: '3000',
        UPSTREAM_BULKHEAD: '2',
        UPSTREAM_BULKHEAD_QUEUE: '2',
        CACHE_TTL_CONTACT: '0',
        CACHE_TTL_CUSTOMER: '0',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('serves CRM-only queries while billing calls hang, and bounds billing to its bulkhead', async () => {
    const w = stack.sandbox.world;
    await stack.sandbox.server('billing').setKnobs({ outage: 'hang' });
    const settled: boolean[] = [];
    const billingQueries = Array.from({ length: 6 }, (_, i) =>
      stack.query<{ customer: unknown }>(`{ customer(id: "${w.customers[i].id}") { id } }`).then((r) => {
        settled[i] = true;
        return r;
      }),
    );
    // Two are refused at once (two in flight and two queued fill the bulkhead): all six have
    // reached it, and four are waiting on the hanging vendor.
    await vi.waitFor(() => expect(settled.filter(Boolean)).toHaveLength(2), WAIT);
    const crmTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const startedAt = performance.now();
      const result = await stack.query<{ contact: { id: string } }>(`{ contact(id: "${w.contacts[i].id}") { id email } }`);
      crmTimes.push(Math.round(performance.now() - startedAt));
      expect(result.errors).toBeUndefined();
      expect(result.data!.contact.id).toBe(w.contacts[i].id);
    }
    // The hanging calls (two in flight, two queued) are still waiting while CRM answered.
    const stillWaiting = 6 - settled.filter(Boolean).length;
    console.log(`CRM latencies while billing hangs: ${crmTimes.join(', ')} ms; billing queries still waiting: ${stillWaiting}`);
    expect(stillWaiting).toBe(4);

    const results = await Promise.all(billingQueries);
    const codes = results.map((r) => r.errors?.[0]?.extensions?.code).sort();
    console.log(`billing outcomes: ${codes.join(', ')}`);
    for (const r of results) expect(r.data!.customer).toBeNull();
    // Beyond 2 in flight + 2 queued, calls are refused at once instead of piling up.
    expect(codes.filter((c) => c === 'UPSTREAM_UNAVAILABLE')).toHaveLength(2);
    expect(codes.filter((c) => c === 'UPSTREAM_TIMEOUT')).toHaveLength(4);
    await stack.sandbox.server('billing').setKnobs({ outage: 'none' });
  });

  it('makes identical reads in flight at the same moment once', async () => {
    const w = stack.sandbox.world;
    const crm = stack.sandbox.server('crm');
    const contact = w.contacts[7];
    const reads = () => crm.requests.entries.filter((e) => e.route === CONTACT_READ && e.path.endsWith(`/${contact.id}`));
    // The first read is held until the test opens the gate (not 150 ms of latency), so the
    // other four queries are sent while it is certainly still unanswered.
    const gate = crm.gate({ route: CONTACT_READ, match: `/${contact.id}?`, timeoutMs: GATE_TIMEOUT_MS }).id;
    stack.resetCounts();
    try {
      const query = () => stack.query<{ contact: { id: string } }>(`{ contact(id: "${contact.id}") { id email } }`);
      const first = query();
      await vi.waitFor(() => expect(reads()).toHaveLength(1), WAIT);
      const rest = Array.from({ length: 4 }, query);
      // The four went through the same steps in the order sent, so once a query sent after them
      // (another contact, not held) has been answered, they have joined the held read or sent their own.
      const probe = await stack.query(`{ contact(id: "${w.contacts[8].id}") { id email } }`);
      expect(reads()).toHaveLength(1);
      expect(reads()[0].answeredAt).toBeUndefined();
      expect(probe.errors).toBeUndefined();
      crm.openGate(gate);
      const results = await Promise.all([first, ...rest]);
      for (const r of results) expect(r.data!.contact.id).toBe(contact.id);
    } finally {
      crm.clearGates();
    }
    console.log(`5 identical concurrent queries: ${reads().length} CRM call(s)`);
    expect(reads().map((e) => e.heldUntil)).toEqual(['opened']);
    // The held read and the probe's.
    expect(stack.counts().crm).toBe(2);
  });
});

describe('what an operator and an analyst can see', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 50 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('returns the upstream cost trace in extensions only when asked with x-switchboard-trace: 1', async () => {
    const w = stack.sandbox.world;
    const query = `{ contact(id: "${w.contacts[3].id}") { id } customer(id: "${w.customers[3].id}") { id } }`;
    const plain = await stack.query(query);
    expect(plain.extensions?.trace).toBeUndefined();

    const traced = await stack.query(
      `{ contact(id: "${w.contacts[4].id}") { id } customer(id: "${w.customers[4].id}") { id } }`,
      undefined,
      { 'x-switchboard-trace': '1' },
    );
    const trace = traced.extensions!.trace as {
      upstream: { system: string; route: string; status: number; ms: number; retried: boolean }[];
      cache: Record<string, { hits: number; misses: number }>;
      budget: Record<string, { used: number }>;
    };
    expect(trace.upstream.map((c) => c.system).sort()).toEqual(['billing', 'crm']);
    for (const call of trace.upstream) {
      expect(call).toMatchObject({ status: 200, retried: false, route: expect.stringMatching(/^(GET|POST) \//) });
      expect(call.ms).toBeGreaterThanOrEqual(0);
    }
    expect(trace.cache.crm.misses).toBeGreaterThan(0);
    expect(trace.budget.crm.used).toBe(1);

    const warm = await stack.query(`{ contact(id: "${w.contacts[4].id}") { id } }`, undefined, { 'x-switchboard-trace': '1' });
    const warmTrace = warm.extensions!.trace as typeof trace;
    expect(warmTrace.upstream).toEqual([]);
    expect(warmTrace.cache.crm.hits).toBeGreaterThan(0);
  });

  it('exposes Prometheus metrics by operation, by upstream system/route/status, cache and breaker', async () => {
    await stack.query(`query ContactForMetrics { contact(id: "${stack.sandbox.world.contacts[9].id}") { id } }`);
    const response = await stack.gateway.yoga.fetch('http://gateway.test/metrics');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/switchboard_graphql_requests_total\{operation="ContactForMetrics",outcome="ok"\} 1/);
    expect(text).toMatch(/switchboard_graphql_request_duration_seconds_count\{operation="ContactForMetrics"\} 1/);
    expect(text).toMatch(/switchboard_upstream_requests_total\{system="crm",route="[^"]+",status="200"\} \d+/);
    expect(text).toMatch(/switchboard_upstream_request_duration_seconds_bucket\{le="[^"]+",system="crm"/);
    expect(text).toMatch(/switchboard_cache_misses_total \d+/);
    expect(text).toMatch(/switchboard_upstream_breaker_state\{system="billing"\} 0/);
  });

  it('reports readiness per system and fails it once draining begins', async () => {
    const ready = await stack.gateway.yoga.fetch('http://gateway.test/readiness');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      systems: { crm: { breaker: 'closed' }, billing: { breaker: 'closed' }, chat: { breaker: 'closed' } },
    });
    const health = await stack.gateway.yoga.fetch('http://gateway.test/health');
    expect(health.status).toBe(200);
    stack.gateway.drain();
    const draining = await stack.gateway.yoga.fetch('http://gateway.test/readiness');
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ status: 'draining' });
    // Still serving while the load balancer notices.
    const result = await stack.query(`{ contact(id: "${stack.sandbox.world.contacts[1].id}") { id } }`);
    expect(result.errors).toBeUndefined();
  });
});
