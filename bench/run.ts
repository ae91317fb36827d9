/**
 * `npm run bench`: the sandbox (100,000 contacts), three production-mode gateways (normal
 * cache; every cache TTL at 0 for cold-cache figures; response cache off for the executed
 * path) and the plain-Yoga baseline each
 * in a process of its own; autocannon in this one. Last, the embedded write store (no
 * DATABASE_URL) in a gateway started as `npm start` starts it: first write and RSS with
 * writes (bench/embedded-store.ts). Prints the figures and writes them as
 * markdown under bench/results/. BENCH_QUICK=1 is a ~1-minute smoke run.
 *
 * The processes are started by bench/fleet.ts, the workloads planned by bench/workload-runs.ts
 * (the query mix by bench/mix.ts), and each phase measured by bench/phases.ts (issue 16's
 * executed path by bench/executed.ts; the cost of OpenTelemetry tracing by bench/tracing-cost.ts, on two
 * gateways of its own; what `@defer` gives W1 by bench/defer.ts); this file runs them in order and writes the report.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from './children.ts';
import { measureEmbeddedStore, type EmbeddedStoreFigures } from './embedded-store.ts';
import { measureExecutedRest, measureMixCold, planMix } from './executed.ts';
import { startFleet, type Fleet } from './fleet.ts';
import { GATEWAY_PROCESS, START_NODE_FLAGS } from './gateway-env.ts';
import { describeMachine, type Machine } from './machine.ts';
import {
  countUpstreamRequests,
  measureBaseline,
  measureLatency,
  measurer,
  replayColdCalls,
  runSoak,
  throughputOf,
  type Counted,
} from './phases.ts';
import type { WindowStats } from './protocol.ts';
import { renderReport } from './report.ts';
import type { Report } from './report-types.ts';
import {
  CONTACTS,
  DATABASE,
  DURATION_S,
  JITTER,
  QUICK,
  REALISTIC,
  RESULTS_DIR,
  SOAK_CALM_S,
  SOAK_CONNECTIONS,
  SOAK_LOAD_S,
  SOAK_ROUNDS,
  THROUGHPUT_CONNECTIONS,
  ZERO,
  log,
  started,
} from './settings.ts';
import { planWorkloads } from './workload-runs.ts';
import { measureTracingCost, renderTracingCost, type TracingCost } from './tracing-cost.ts';
import { measureDefer, renderDefer, type DeferFigures } from './defer.ts';
import { directoryPages } from './workloads.ts';

/** What the phases measured, before it is put into the report's shape. */
interface Measurements extends Counted, Pick<Report, 'replays' | 'latency' | 'throughput' | 'baseline' | 'executed' | 'mix' | 'soak'> {
  machine: Machine;
  fleet: Fleet;
  w3Skipped?: string;
  idle: WindowStats;
  windows: WindowStats[];
  heapAtStart: number | null;
  heapAfterLoad: number | null;
  embeddedStore: EmbeddedStoreFigures;
  /** OpenTelemetry on vs off (bench/tracing-cost.ts). */
  tracing: TracingCost[];
  /** W1 with its billing part deferred (bench/defer.ts). */
  deferred: DeferFigures;
}

function buildReport(m: Measurements): Report {
  const { facts, directoryCalls } = m.fleet;
  return {
    machine: m.machine,
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
    w3Skipped: m.w3Skipped,
    routes: m.routes,
    loadAverageAtEnd: describeMachine().loadAverage,
    readYourWrite: m.readYourWrite,
    directory: { users: facts.chatUsers, pages: directoryPages(facts.chatUsers), callsAtStart: directoryCalls, gateways: 3 },
    counts: m.counts,
    replays: m.replays,
    latency: m.latency,
    throughput: m.throughput,
    baseline: m.baseline,
    executed: m.executed,
    mix: m.mix,
    memory: {
      idleRssMb: m.idle.peakRssMb,
      peakRssMb: Math.max(...m.windows.map((w) => w.peakRssMb)),
      heapAtStartMb: m.heapAtStart,
      heapAfterLoadMb: m.heapAfterLoad,
      eventLoopP99Ms: Math.max(...m.windows.map((w) => w.eventLoopP99Ms)),
    },
    soak: m.soak,
    embeddedStore: m.embeddedStore,
  };
}

function writeReport(report: Report, tracing: TracingCost[], deferred: DeferFigures): void {
  const markdown = `${renderReport(report)}\n## Tracing (OpenTelemetry)\n\n${renderTracingCost(tracing, THROUGHPUT_CONNECTIONS)}\n\n## @defer\n\n${renderDefer(deferred, `CRM ${REALISTIC.crm} ms, billing ${REALISTIC.billing} ms, chat ${REALISTIC.chat} ms (±${JITTER * 100} %)`)}\n`;
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  writeFileSync(join(RESULTS_DIR, `bench-${stamp}${QUICK ? '-quick' : ''}.md`), markdown);
  writeFileSync(join(RESULTS_DIR, QUICK ? 'latest-quick.md' : 'latest.md'), markdown);
  console.log(`\n${markdown}`);
  log(`written to bench/results/ (${report.durationS} s in all)`);
}

async function measureAll(machine: Machine, fleet: Fleet): Promise<Measurements> {
  const { gw, upstreams } = fleet;
  const heapAfterGc = () => gw.call<number | null>({ type: 'heap-after-gc' });
  await gw.call({ type: 'window-start' });
  const idle = await gw.call<WindowStats>({ type: 'window-end' });
  const plan = await planWorkloads(fleet);
  const counted = await countUpstreamRequests(fleet, plan);
  const heapAtStart = await heapAfterGc();
  const mixPlan = await planMix(fleet);

  await upstreams.setLatency(REALISTIC);
  const replays = await replayColdCalls(fleet, plan.shapes);
  const { measure, windows } = measurer(fleet);
  const latency = await measureLatency(fleet, plan.workloads, measure);
  const heapAfterLoad = await heapAfterGc();
  const throughput = throughputOf(plan.workloads, latency);
  const mixCold = await measureMixCold(fleet, mixPlan, measure);
  replays.push({ workload: 'MIX', ...mixCold.replay });

  await upstreams.setLatency(ZERO);
  const { rows: baseline, executed } = await measureBaseline(fleet, plan.workloads, measure);
  executed.push(...(await measureExecutedRest(fleet, plan.workloads, mixPlan, measure)));
  const tracing = await measureTracingCost({
    vendors: fleet.sandbox.ready,
    script: GATEWAY_PROCESS,
    dataDir: mkdtempSync(join(tmpdir(), 'switchboard-bench-tracing-')),
    rounds: QUICK ? 1 : 3,
    durationS: DURATION_S,
    connections: THROUGHPUT_CONNECTIONS,
    sandboxPid: fleet.sandbox.process.pid,
  });
  log(renderTracingCost(tracing, THROUGHPUT_CONNECTIONS));
  await upstreams.setLatency(REALISTIC);
  const deferred = await measureDefer({
    vendors: fleet.sandbox.ready,
    script: GATEWAY_PROCESS,
    dataDir: mkdtempSync(join(tmpdir(), 'switchboard-bench-defer-')),
    runs: QUICK ? 5 : 30,
  });
  await upstreams.setLatency(ZERO);
  const soak = await runSoak(fleet, plan.workloads, measure);

  log('embedded write store: a gateway as `npm start` starts it, with no DATABASE_URL; first write, then cross-system writes');
  const embeddedStore = await measureEmbeddedStore(fleet.sandbox.ready.urls, fleet.facts.writableContactIds[1]);
  log(
    `  first write ${embeddedStore.firstWriteMs} ms; RSS ${embeddedStore.rssAfterWritesMb} MB after ${embeddedStore.crossSystemWrites} cross-system writes, peak ${embeddedStore.peakRssMb} MB`,
  );
  const { w3Skipped } = plan;
  return {
    machine,
    fleet,
    w3Skipped,
    ...counted,
    idle,
    windows,
    heapAtStart,
    heapAfterLoad,
    replays,
    latency,
    throughput,
    baseline,
    executed,
    mix: { operations: mixPlan.gateway.length, cold: mixCold.cold },
    soak,
    embeddedStore,
    tracing,
    deferred,
  };
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
    const fleet = await startFleet(children, dataDir);
    const measured = await measureAll(machine, fleet);
    writeReport(buildReport(measured), measured.tracing, measured.deferred);
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
