/**
 * `npm run bench`: the sandbox (100,000 contacts), two production-mode gateways (normal
 * cache, and every cache TTL at 0 for cold-cache figures) and the plain-Yoga baseline each
 * in a process of its own; autocannon in this one. Last, the embedded write store (no
 * DATABASE_URL) in a gateway started as `npm start` starts it: first write and RSS with
 * writes (bench/embedded-store.ts). Prints the figures and writes them as
 * markdown under bench/results/. BENCH_QUICK=1 is a ~1-minute smoke run.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { fromRoot, type SystemName } from '../src/index.ts';
import { forkChild, type Child } from './children.ts';
import { GATEWAY_PROCESS, START_NODE_FLAGS, benchGatewayEnv, type CacheSetting } from './gateway-env.ts';
import { runLoad } from './load.ts';
import { describeMachine } from './machine.ts';
import { measureEmbeddedStore } from './embedded-store.ts';
import type { GatewayRequestMsg, SandboxReplyMsg, WindowStats, WorldFacts } from './protocol.ts';
import { renderReport } from './report.ts';
import type { Report, LatencyRow, CountRow, ThroughputRow, SoakRound } from './report-types.ts';
import { callGraphOf, replay, type LoggedCall } from './replay.ts';
import { planW3, type W3Plan } from './w3.ts';
import {
  body,
  floorMs,
  listLevels,
  directoryPages,
  listMinimum,
  listNaive,
  W1_QUERY,
  W2_LEVELS,
  W2_QUERY,
  W3_LEVELS,
  W3_READ,
  W4_QUERY,
  w4Variables,
  type Latencies,
  type ListShape,
  type WorkloadName,
} from './workloads.ts';

const numberFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
};
const QUICK = process.env.BENCH_QUICK === '1';
const DURATION_S = numberFromEnv('BENCH_DURATION_S', QUICK ? 2 : 4);
const SOAK_ROUNDS = numberFromEnv('BENCH_SOAK_ROUNDS', 5);
const SOAK_LOAD_S = numberFromEnv('BENCH_SOAK_LOAD_S', QUICK ? 4 : 30);
const SOAK_CALM_S = numberFromEnv('BENCH_SOAK_CALM_S', QUICK ? 1 : 10);
const SOAK_CONNECTIONS = 10;
const CONTACTS = numberFromEnv('BENCH_CONTACTS', 100_000);
const CONCURRENCY = [1, 10, 50];
/** Replays of each cold call graph (sequential, after three warm-up runs). */
const REPLAY_RUNS = QUICK ? 10 : 40;
const THROUGHPUT_CONNECTIONS = 50;
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
/**
 * The write store as production runs it (PostgreSQL): BENCH_DATABASE_URL, else the local
 * server when it answers; only without one does the gateway fall back to the embedded store,
 * whose memory then counts as the gateway's. The embedded store is measured on its own at the end.
 */
async function chooseDatabase(): Promise<{ url?: string; label: string }> {
  const given = process.env.BENCH_DATABASE_URL?.trim();
  if (given) return { url: given, label: 'PostgreSQL (BENCH_DATABASE_URL)' };
  const client = new pg.Client({ connectionString: LOCAL_POSTGRES, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return { url: LOCAL_POSTGRES, label: 'PostgreSQL (127.0.0.1:5432)' };
  } catch {
    return { label: 'the embedded SQLite store (in the gateway process; no PostgreSQL answered on 127.0.0.1:5432)' };
  } finally {
    await client.end().catch(() => undefined);
  }
}
const DATABASE = await chooseDatabase();
const DATABASE_URL = DATABASE.url;
const SYSTEMS: readonly SystemName[] = ['crm', 'billing', 'chat'];

const REALISTIC: Latencies = { crm: 20, billing: 30, chat: 15 };
const ZERO: Latencies = { crm: 0, billing: 0, chat: 0 };
const JITTER = 0.2;

const RESULTS_DIR = fileURLToPath(fromRoot('bench/results/'));
const started = Date.now();
const log = (message: string) => console.log(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${message}`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type SandboxChild = Child<Extract<SandboxReplyMsg, { type: 'ready' }>>;
type ServerChild = Child<{ type: 'ready'; url: string }>;

/** A key made per run: the gateway holds only its hash (SWITCHBOARD_API_KEYS), as in production. */
const BENCH_KEY = `sbk_bench_${randomBytes(24).toString('base64url')}`;
const AUTH = { authorization: `Bearer ${BENCH_KEY}` };

const gatewayEnv = (vendors: SandboxChild['ready'], cache: CacheSetting, dataDir: string) =>
  benchGatewayEnv({ urls: vendors.urls, credentials: vendors.credentials, cache, dataDir, apiKey: BENCH_KEY, databaseUrl: DATABASE_URL });

class Upstreams {
  constructor(readonly urls: Record<SystemName, string>) {}

  async setLatency(latency: Latencies): Promise<void> {
    await Promise.all(
      SYSTEMS.map(async (system) => {
        const response = await fetch(`${this.urls[system]}/__sandbox/knobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ latencyMs: latency[system], jitterMs: latency[system] * JITTER }),
        });
        if (!response.ok) throw new Error(`setting ${system} knobs failed: ${response.status}`);
      }),
    );
  }

  /**
   * Waits until no upstream request has arrived for 500 ms (at most 60 s): requests still in
   * flight when autocannon stops keep calling upstream, and must neither be lost from this
   * run's count nor leak into the next run's.
   */
  async settle(): Promise<void> {
    let last = -1;
    let quietSince = Date.now();
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
      const now = total(await this.counts());
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= 500) return;
    }
  }

  async reset(): Promise<void> {
    await Promise.all(
      SYSTEMS.map((system) => fetch(`${this.urls[system]}/__sandbox/reset`, { method: 'POST' }).then((r) => r.arrayBuffer())),
    );
  }

  async counts(): Promise<Record<SystemName, number>> {
    const logs = await this.logs();
    return Object.fromEntries(SYSTEMS.map((system) => [system, logs[system].total])) as Record<SystemName, number>;
  }

  /** Requests per vendor route, e.g. `billing GET /v1/customers/search: 6`. */
  async routes(): Promise<Record<string, number>> {
    const logs = await this.logs();
    return Object.fromEntries(
      SYSTEMS.flatMap((system) => Object.entries(logs[system].byRoute).map(([route, n]) => [`${system} ${route}`, n])),
    );
  }

  /** The calls since the last reset, as each system logged them (its last 100). */
  async calls(): Promise<LoggedCall[]> {
    const logs = await this.logs();
    return SYSTEMS.flatMap((system) => logs[system].recent.map((entry) => ({ ...entry, system })));
  }

  private async logs(): Promise<Record<SystemName, SandboxLog>> {
    const entries = await Promise.all(
      SYSTEMS.map(async (system) => {
        const response = await fetch(`${this.urls[system]}/__sandbox/requests`);
        return [system, (await response.json()) as SandboxLog] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<SystemName, SandboxLog>;
  }
}

interface SandboxLog {
  total: number;
  byRoute: Record<string, number>;
  recent: Omit<LoggedCall, 'system'>[];
}

const total = (counts: Record<SystemName, number>) => counts.crm + counts.billing + counts.chat;

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post(url: string, payload: string): Promise<GraphQLBody> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body: payload });
  const parsed = (await response.json()) as GraphQLBody;
  if (!response.ok || parsed.errors)
    throw new Error(`gateway answered ${response.status}: ${JSON.stringify(parsed.errors ?? parsed).slice(0, 400)}`);
  return parsed;
}

interface ContactNode {
  id: string;
  company: unknown;
  owner: unknown;
  billingCustomer: unknown;
}

function shapeOf(nodes: ContactNode[], metadataLinked: number): ListShape {
  return {
    contacts: nodes.length,
    withCompany: nodes.filter((n) => n.company).length,
    withOwner: nodes.filter((n) => n.owner).length,
    distinctOwners: new Set(nodes.map((n) => (n.owner as { id?: string } | null)?.id).filter(Boolean)).size,
    customers: nodes.filter((n) => n.billingCustomer).length,
    metadataLinked,
  };
}

interface WorkloadRun {
  name: WorkloadName;
  title: string;
  /** Fresh body per request. */
  next: () => string;
  /** Client requests per logical operation (W3: a mutation and a read). */
  perOperation: number;
  floor: (latency: Latencies) => number;
}

async function main(): Promise<void> {
  const machine = describeMachine();
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, node ${machine.node}${QUICK ? ' (BENCH_QUICK)' : ''}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const children: Child<{ type: 'ready' }>[] = [];
  const stopAll = () => Promise.all(children.map((c) => c.stop()));
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

  try {
    log(`starting the sandbox with ${CONTACTS.toLocaleString('en')} contacts and the plain-Yoga baseline`);
    const childEnv = { ...process.env, BENCH_CONTACTS: String(CONTACTS) };
    const [sandbox, baseline] = await Promise.all([
      forkChild<Extract<SandboxReplyMsg, { type: 'ready' }>>('./sandbox-process.ts', 'sandbox', { env: childEnv }),
      forkChild<{ type: 'ready'; url: string }>('./baseline-process.ts', 'baseline', { env: childEnv }),
    ]);
    children.push(sandbox, baseline);
    log(`sandbox ready (world built in ${sandbox.ready.worldMs} ms)`);
    const upstreams = new Upstreams(sandbox.ready.urls);
    const facts = await (sandbox as SandboxChild).call<WorldFacts>({ type: 'facts' });

    const profileDir = join(RESULTS_DIR, 'profiles');
    const gcArgs = [...START_NODE_FLAGS, '--expose-gc'];
    await upstreams.reset();
    const [warm, cold, recordsOnly] = await Promise.all([
      forkChild<{ type: 'ready'; url: string }>(GATEWAY_PROCESS, 'gateway', {
        env: gatewayEnv(sandbox.ready, 'warm', join(dataDir, 'warm')),
        nodeArgs: CPU_PROF ? [...gcArgs, '--cpu-prof', `--cpu-prof-dir=${profileDir}`] : gcArgs,
      }),
      forkChild<{ type: 'ready'; url: string }>(GATEWAY_PROCESS, 'cold-cache gateway', {
        env: gatewayEnv(sandbox.ready, 'cold', join(dataDir, 'cold')),
        nodeArgs: gcArgs,
      }),
      forkChild<{ type: 'ready'; url: string }>(GATEWAY_PROCESS, 'records-only gateway', {
        env: gatewayEnv(sandbox.ready, 'records-only', join(dataDir, 'records-only')),
        nodeArgs: gcArgs,
      }),
    ]);
    children.push(warm, cold, recordsOnly);
    const gw = warm as ServerChild;
    const gwCold = cold as ServerChild;
    const gwRecords = recordsOnly as ServerChild;
    const gatewayCall = <T>(msg: Omit<GatewayRequestMsg, 'id'>) => gw.call<T>(msg);
    // Each gateway read the Slack users directory once as it started (it is not read per request).
    const directoryCalls = Object.entries(await upstreams.routes())
      .filter(([route]) => route.includes('users.list'))
      .reduce((sum, [, n]) => sum + n, 0);
    log(`gateways ready: ${gw.ready.url} (cache on), ${gwCold.ready.url} (every TTL 0), ${gwRecords.ready.url} (response cache off)`);
    await gatewayCall({ type: 'window-start' });
    const idle = await gatewayCall<WindowStats>({ type: 'window-end' });

    // --- workloads -------------------------------------------------------------------
    const w3 = planW3();
    const metadataLinked = (ids: string[]) => (sandbox as SandboxChild).call<number>({ type: 'metadata-linked', contactIds: ids });
    const nextW4 = w4Variables(facts);
    let w3Counter = 0;
    const w3Plan = typeof w3 === 'string' ? undefined : w3;
    const w3Next = (plan: W3Plan) => () => {
      const n = w3Counter++;
      const id = facts.writableContactIds[Math.floor(n / 2) % facts.writableContactIds.length];
      return n % 2 === 0 ? body(plan.mutation, plan.variables(id, `Bench title ${n}`)) : body(W3_READ, { id });
    };

    await upstreams.setLatency(ZERO);
    const w1Cold = (await post(gwCold.ready.url, body(W1_QUERY))).data as { contacts: { nodes: ContactNode[] } };
    const w1Nodes = w1Cold.contacts.nodes;
    const w1Shape = shapeOf(w1Nodes, await metadataLinked(w1Nodes.map((n) => n.id)));
    const w1EmailLinked = w1Shape.customers - w1Shape.metadataLinked;
    const firstW4 = nextW4();
    const w4Page = (await post(gwCold.ready.url, body(W4_QUERY, firstW4))).data as { contacts: { nodes: ContactNode[] } };
    const w4Shape = shapeOf(w4Page.contacts.nodes, await metadataLinked(w4Page.contacts.nodes.map((n) => n.id)));
    const w2Contact = (await post(gwCold.ready.url, body(W2_QUERY, { id: facts.linkedContactId }))).data as { contact: ContactNode };
    const w2Shape = shapeOf([w2Contact.contact], 1);

    const workloads: WorkloadRun[] = [
      {
        name: 'W1',
        title: 'first 50 contacts with links',
        next: () => body(W1_QUERY),
        perOperation: 1,
        floor: (l) => floorMs(listLevels(w1EmailLinked), l),
      },
      {
        name: 'W2',
        title: 'one contact by ID with links',
        next: () => body(W2_QUERY, { id: facts.linkedContactId }),
        perOperation: 1,
        floor: (l) => floorMs(W2_LEVELS, l),
      },
      ...(w3Plan
        ? [
            {
              name: 'W3' as const,
              title: 'mutation, then read of the changed record',
              next: w3Next(w3Plan),
              perOperation: 2,
              floor: (l: Latencies) => floorMs(W3_LEVELS, l),
            },
          ]
        : []),
      {
        name: 'W4',
        title: "W1's shape, filters rotating (owner × stage × page size)",
        next: () => body(W4_QUERY, nextW4()),
        perOperation: 1,
        floor: (l) => floorMs(listLevels(w4Shape.customers - w4Shape.metadataLinked), l),
      },
    ];
    if (!w3Plan) log(`W3 skipped: ${w3}`);

    // --- upstream requests per client request ----------------------------------------
    log('counting upstream requests per client request');
    const counts: CountRow[] = [];
    const routes: Record<string, Record<string, number>> = {};
    const countOnce = async (url: string, payloads: string[], label: string) => {
      await upstreams.reset();
      for (const payload of payloads) await post(url, payload);
      routes[label] = await upstreams.routes();
      return upstreams.counts();
    };
    {
      const w1Body = body(W1_QUERY);
      const c = await countOnce(gwCold.ready.url, [w1Body], 'W1 cold');
      await post(gw.ready.url, w1Body);
      const w = await countOnce(gw.ready.url, [w1Body], 'W1 warm');
      counts.push({
        workload: 'W1',
        cold: c,
        warm: total(w),
        minimum: listMinimum(w1Shape),
        naive: listNaive(w1Shape),
        note: `${w1Shape.contacts} contacts, ${w1Shape.customers} with a billing customer (${w1Shape.metadataLinked} linked by metadata)`,
      });
    }
    {
      const w2Body = body(W2_QUERY, { id: facts.linkedContactId });
      const c = await countOnce(gwCold.ready.url, [w2Body], 'W2 cold');
      await post(gw.ready.url, w2Body);
      const w = await countOnce(gw.ready.url, [w2Body], 'W2 warm');
      counts.push({
        workload: 'W2',
        cold: c,
        warm: total(w),
        minimum: listMinimum(w2Shape),
        naive: listNaive(w2Shape),
        note: `contact ${facts.linkedContactId}`,
      });
    }
    let readYourWrite: boolean | undefined;
    if (w3Plan) {
      const id = facts.writableContactIds[0];
      const title = `Bench check ${Date.now()}`;
      const pair = [body(w3Plan.mutation, w3Plan.variables(id, title)), body(W3_READ, { id })];
      await post(gw.ready.url, body(W3_READ, { id }));
      const c = await countOnce(gwCold.ready.url, pair, 'W3 cold');
      const title2 = `${title} again`;
      await upstreams.reset();
      await post(gw.ready.url, body(w3Plan.mutation, w3Plan.variables(id, title2)));
      const read = (await post(gw.ready.url, body(W3_READ, { id }))).data as { contact: { jobTitle: string | null } };
      const w = await upstreams.counts();
      routes['W3 warm'] = await upstreams.routes();
      readYourWrite = read.contact.jobTitle === title2;
      counts.push({
        workload: 'W3',
        cold: c,
        warm: total(w),
        minimum: 1,
        naive: 2,
        note: `per mutation + read pair; read-your-write ${readYourWrite ? 'yes' : 'NO'}`,
      });
    }
    {
      // The page whose shape gives the minimum (the cold gateway keeps nothing from reading it before).
      const c = await countOnce(gwCold.ready.url, [body(W4_QUERY, firstW4)], 'W4 cold');
      await post(gw.ready.url, body(W4_QUERY, firstW4));
      const w = await countOnce(gw.ready.url, [body(W4_QUERY, firstW4)], 'W4 warm');
      counts.push({
        workload: 'W4',
        cold: c,
        warm: total(w),
        minimum: listMinimum(w4Shape) + 1,
        naive: listNaive(w4Shape),
        note: `${w4Shape.contacts} contacts per page; warm = same filter repeated`,
      });
    }
    const heapAtStart = await gatewayCall<number | null>({ type: 'heap-after-gc' });

    // --- latency under realistic upstream latency ------------------------------------
    await upstreams.setLatency(REALISTIC);
    const replays: Report['replays'] = [];
    const replayed: [WorkloadName, string][] = [
      ['W1', body(W1_QUERY)],
      ['W2', body(W2_QUERY, { id: facts.linkedContactId })],
      ['W4', body(W4_QUERY, firstW4)],
    ];
    for (const [name, payload] of replayed) {
      // Logged under this latency, so what each call waited for shows in when it arrived.
      await upstreams.reset();
      await post(gwCold.ready.url, payload);
      const graph = callGraphOf(await upstreams.calls());
      log(`${name}: its ${graph.calls.length} cold upstream calls replayed straight against the sandbox, ${REPLAY_RUNS} times`);
      const result = await replay(sandbox.ready.urls, graph, REPLAY_RUNS);
      log(`  ${result.shape}: p50 ${result.p50Ms} ms`);
      replays.push({ workload: name, ...result });
    }
    const latency: LatencyRow[] = [];
    const windows: WindowStats[] = [];
    const measure = async (target: ServerChild, workload: WorkloadRun, connections: number, durationS: number) => {
      await upstreams.reset();
      await target.call({ type: 'window-start' });
      const result = await runLoad({ url: target.ready.url, headers: AUTH, connections, durationS, next: workload.next });
      const stats = await target.call<WindowStats>({ type: 'window-end' });
      windows.push(stats);
      await upstreams.settle();
      const upstream = total(await upstreams.counts());
      if (result.errors > 0) log(`  ${workload.name} c=${connections}: ${result.errors} errors, first: ${result.firstError}`);
      return { result, stats, upstreamPerOp: result.sent > 0 ? upstream / (result.sent / workload.perOperation) : 0 };
    };
    for (const workload of workloads) {
      // Cold: every request goes upstream, so this is where the critical-path floor applies.
      for (const connections of CONCURRENCY) {
        log(`${workload.name} cold cache, concurrency ${connections}, realistic latency, ${DURATION_S} s`);
        const { result, stats, upstreamPerOp } = await measure(gwCold, workload, connections, DURATION_S);
        latency.push({
          workload: workload.name,
          cache: 'cold',
          connections,
          floor: workload.floor(REALISTIC),
          result,
          stats,
          upstreamPerOp,
        });
      }
      // Prime: the warm figures are about a warm cache.
      for (let i = 0; i < 3; i++) await post(gw.ready.url, workload.next()).catch(() => undefined);
      for (const connections of CONCURRENCY) {
        log(`${workload.name} warm cache, concurrency ${connections}, realistic latency, ${DURATION_S} s`);
        const { result, stats, upstreamPerOp } = await measure(gw, workload, connections, DURATION_S);
        latency.push({
          workload: workload.name,
          cache: 'warm',
          connections,
          floor: workload.floor(REALISTIC),
          result,
          stats,
          upstreamPerOp,
        });
      }
    }
    const heapAfterLoad = await gatewayCall<number | null>({ type: 'heap-after-gc' });

    // --- throughput, cold cache vs warm cache (the concurrency-50 runs above) ---------
    const throughput: ThroughputRow[] = workloads.map((workload) => {
      const row = (cache: 'cold' | 'warm') =>
        latency.find((r) => r.workload === workload.name && r.cache === cache && r.connections === THROUGHPUT_CONNECTIONS)!;
      const cold = row('cold');
      const warm = row('warm');
      return {
        workload: workload.name,
        profile: 'realistic',
        cold: cold.result,
        warm: warm.result,
        coldUpstreamPerOp: cold.upstreamPerOp,
        warmUpstreamPerOp: warm.upstreamPerOp,
      };
    });

    // --- zero latency: the gateway's own CPU cost, and the plain-Yoga baseline --------
    await upstreams.setLatency(ZERO);
    const baselineRows: Report['baseline'] = [];
    for (const workload of workloads.filter((w) => w.name === 'W1' || w.name === 'W2')) {
      log(
        `${workload.name} at zero latency: gateway warm, gateway executing (record caches only), gateway cold, plain Yoga (c=${THROUGHPUT_CONNECTIONS})`,
      );
      const gateway = await measure(gw, workload, THROUGHPUT_CONNECTIONS, DURATION_S);
      for (let i = 0; i < 3; i++) await post(gwRecords.ready.url, workload.next());
      const gatewayExecuting = await measure(gwRecords, workload, THROUGHPUT_CONNECTIONS, DURATION_S);
      const gatewayCold = await measure(gwCold, workload, THROUGHPUT_CONNECTIONS, DURATION_S);
      const plain = await runLoad({
        url: baseline.ready.url,
        headers: {},
        connections: THROUGHPUT_CONNECTIONS,
        durationS: DURATION_S,
        next: workload.next,
      });
      baselineRows.push({
        workload: workload.name,
        gateway: gateway.result,
        gatewayExecuting: gatewayExecuting.result,
        gatewayCold: gatewayCold.result,
        baseline: plain,
      });
    }

    // --- soak ------------------------------------------------------------------------
    const soak: SoakRound[] = [];
    const w4 = workloads.find((w) => w.name === 'W4')!;
    for (let round = 1; round <= SOAK_ROUNDS; round++) {
      log(
        `soak round ${round}/${SOAK_ROUNDS}: W4 for ${SOAK_LOAD_S} s at zero latency (c=${SOAK_CONNECTIONS}), then ${SOAK_CALM_S} s calm`,
      );
      const { result, stats } = await measure(gw, w4, SOAK_CONNECTIONS, SOAK_LOAD_S);
      await sleep(SOAK_CALM_S * 1000);
      const heap = await gatewayCall<number | null>({ type: 'heap-after-gc' });
      soak.push({ round, result, stats, heapAfterGcMb: heap });
    }

    log('embedded write store: a gateway as `npm start` starts it, with no DATABASE_URL; first write, then cross-system writes');
    const embeddedStore = await measureEmbeddedStore(sandbox.ready.urls, facts.writableContactIds[1]);
    log(
      `  first write ${embeddedStore.firstWriteMs} ms; RSS ${embeddedStore.rssAfterWritesMb} MB after ${embeddedStore.crossSystemWrites} cross-system writes, peak ${embeddedStore.peakRssMb} MB`,
    );

    const report: Report = {
      machine,
      startedAt: new Date(started).toISOString(),
      durationS: Math.round((Date.now() - started) / 1000),
      settings: {
        writeStore: DATABASE.label,
        gatewayRuntime: `compiled JS (dist/), \`node ${START_NODE_FLAGS.join(' ')}\` as \`npm start\` runs it`,
        quick: QUICK,
        loadS: DURATION_S,
        contacts: CONTACTS,
        realistic: REALISTIC,
        jitter: JITTER,
        soak: { rounds: SOAK_ROUNDS, loadS: SOAK_LOAD_S, calmS: SOAK_CALM_S, connections: SOAK_CONNECTIONS },
      },
      w3Skipped: typeof w3 === 'string' ? w3 : undefined,
      routes,
      loadAverageAtEnd: describeMachine().loadAverage,
      readYourWrite,
      directory: { users: facts.chatUsers, pages: directoryPages(facts.chatUsers), callsAtStart: directoryCalls, gateways: 3 },
      counts,
      replays,
      latency,
      throughput,
      baseline: baselineRows,
      memory: {
        idleRssMb: idle.peakRssMb,
        peakRssMb: Math.max(...windows.map((w) => w.peakRssMb)),
        heapAtStartMb: heapAtStart,
        heapAfterLoadMb: heapAfterLoad,
        eventLoopP99Ms: Math.max(...windows.map((w) => w.eventLoopP99Ms)),
      },
      soak,
      embeddedStore,
    };
    const markdown = renderReport(report);
    const stamp = report.startedAt.replace(/[:.]/g, '-');
    writeFileSync(join(RESULTS_DIR, `bench-${stamp}${QUICK ? '-quick' : ''}.md`), markdown);
    writeFileSync(join(RESULTS_DIR, QUICK ? 'latest-quick.md' : 'latest.md'), markdown);
    console.log(`\n${markdown}`);
    log(`written to bench/results/ (${report.durationS} s in all)`);
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
