/**
 * The phases of `npm run bench`, in the order bench/run.ts runs them: upstream requests per
 * client request, the cold call graphs replayed, latency cold and warm under realistic
 * latency, throughput, the zero-latency comparison with plain Yoga, and the soak (the query
 * mix's phases and the executed runs of W4 and the mix are in bench/executed.ts).
 */
import type { SystemName } from '@switchboard/sandbox';
import { post, type Fleet, type ServerChild } from './fleet.ts';
import { runLoad, type LoadResult } from './load.ts';
import type { CpuMark, WindowStats } from './protocol.ts';
import type { CountRow, ExecutedRun, LatencyRow, Report, SoakRound, ThroughputRow } from './report-types.ts';
import { callGraphOf, replay } from './replay.ts';
import {
  AUTH,
  CONCURRENCY,
  DURATION_S,
  REALISTIC,
  REPLAY_RUNS,
  SOAK_CALM_S,
  SOAK_CONNECTIONS,
  SOAK_LOAD_S,
  SOAK_ROUNDS,
  THROUGHPUT_CONNECTIONS,
  log,
  sleep,
} from './settings.ts';
import { total } from './upstreams.ts';
import type { W3Plan } from './w3.ts';
import type { Shapes, WorkloadPlan, WorkloadRun } from './workload-runs.ts';
import { body, listMinimum, listNaive, W1_QUERY, W2_QUERY, W3_READ, W4_QUERY, type WorkloadName } from './workloads.ts';

export interface Counted {
  counts: CountRow[];
  /** Cold requests per vendor route, per workload. */
  routes: Record<string, Record<string, number>>;
  readYourWrite?: boolean;
}

/** Counts what `payloads` cost upstream, one after another on `url`, and notes their routes under `label`. */
type CountOnce = (url: string, payloads: string[], label: string) => Promise<Record<SystemName, number>>;

/** A mutation and a read of what it changed, cold, then warm: does the warm gateway read its own write? */
async function countW3(fleet: Fleet, plan: W3Plan, countOnce: CountOnce, routes: Counted['routes']): Promise<[CountRow, boolean]> {
  const { gw, gwCold, upstreams, facts } = fleet;
  const id = facts.writableContactIds[0];
  const title = `Bench check ${Date.now()}`;
  const pair = [body(plan.mutation, plan.variables(id, title)), body(W3_READ, { id })];
  await post(gw.ready.url, body(W3_READ, { id }));
  const cold = await countOnce(gwCold.ready.url, pair, 'W3 cold');
  const title2 = `${title} again`;
  await upstreams.reset();
  await post(gw.ready.url, body(plan.mutation, plan.variables(id, title2)));
  const read = (await post(gw.ready.url, body(W3_READ, { id }))).data as { contact: { jobTitle: string | null } };
  const warm = await upstreams.counts();
  routes['W3 warm'] = await upstreams.routes();
  const readYourWrite = read.contact.jobTitle === title2;
  const row: CountRow = {
    workload: 'W3',
    cold,
    warm: total(warm),
    minimum: 1,
    naive: 2,
    note: `per mutation + read pair; read-your-write ${readYourWrite ? 'yes' : 'NO'}`,
  };
  return [row, readYourWrite];
}

export async function countUpstreamRequests(fleet: Fleet, plan: WorkloadPlan): Promise<Counted> {
  log('counting upstream requests per client request');
  const { gw, gwCold, upstreams, facts } = fleet;
  const { w1, w2, w4, firstW4 } = plan.shapes;
  const counts: CountRow[] = [];
  const routes: Counted['routes'] = {};
  const countOnce: CountOnce = async (url, payloads, label) => {
    await upstreams.reset();
    for (const payload of payloads) await post(url, payload);
    routes[label] = await upstreams.routes();
    return upstreams.counts();
  };
  // Cold on the every-TTL-0 gateway; warm on the normal one, after a first request filled its cache.
  const coldAndWarm = async (name: WorkloadName, payload: string) => {
    const cold = await countOnce(gwCold.ready.url, [payload], `${name} cold`);
    await post(gw.ready.url, payload);
    const warm = await countOnce(gw.ready.url, [payload], `${name} warm`);
    return { workload: name, cold, warm: total(warm) };
  };
  const w1Note = `${w1.contacts} contacts, ${w1.customers} with a billing customer (${w1.metadataLinked} linked by metadata)`;
  counts.push({ ...(await coldAndWarm('W1', body(W1_QUERY))), minimum: listMinimum(w1), naive: listNaive(w1), note: w1Note });
  const w2Body = body(W2_QUERY, { id: facts.linkedContactId });
  const w2Note = `contact ${facts.linkedContactId}`;
  counts.push({ ...(await coldAndWarm('W2', w2Body)), minimum: listMinimum(w2), naive: listNaive(w2), note: w2Note });
  let readYourWrite: boolean | undefined;
  if (plan.w3Plan) {
    const [row, ok] = await countW3(fleet, plan.w3Plan, countOnce, routes);
    counts.push(row);
    readYourWrite = ok;
  }
  // The page whose shape gives the minimum (the cold gateway keeps nothing from reading it before).
  const w4Note = `${w4.contacts} contacts per page; warm = same filter repeated`;
  counts.push({ ...(await coldAndWarm('W4', body(W4_QUERY, firstW4))), minimum: listMinimum(w4) + 1, naive: listNaive(w4), note: w4Note });
  return { counts, routes, readYourWrite };
}

/** Each cold request's upstream calls, logged under the latency now set, replayed straight against the sandbox. */
export async function replayColdCalls(fleet: Fleet, shapes: Shapes): Promise<Report['replays']> {
  const { gwCold, upstreams, sandbox, facts } = fleet;
  const replays: Report['replays'] = [];
  const replayed: [WorkloadName, string][] = [
    ['W1', body(W1_QUERY)],
    ['W2', body(W2_QUERY, { id: facts.linkedContactId })],
    ['W4', body(W4_QUERY, shapes.firstW4)],
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
  return replays;
}

export interface Measured {
  result: LoadResult;
  stats: WindowStats;
  upstreamPerOp: number;
  /** The target's CPU and answered requests between a mark a quarter into the run (at most 1 s) and one as it ends. */
  cpu: CpuMark;
}
export type Measure = (target: ServerChild, workload: WorkloadRun, connections: number, durationS: number) => Promise<Measured>;

/** One load run on a gateway, with its process's stats and its upstream calls per operation; `windows` keeps every run's stats. */
export function measurer(fleet: Fleet): { measure: Measure; windows: WindowStats[] } {
  const { upstreams } = fleet;
  const windows: WindowStats[] = [];
  const measure: Measure = async (target, workload, connections, durationS) => {
    await upstreams.reset();
    await target.call({ type: 'window-start' });
    const mark = () => target.call<CpuMark>({ type: 'cpu-mark' });
    // Past the ramp-up: from here on, as many requests are in flight at each mark.
    const first = sleep(Math.min(1000, durationS * 250)).then(mark);
    const result = await runLoad({ url: target.ready.url, headers: AUTH, connections, durationS, next: workload.next });
    const last = await mark();
    const stats = await target.call<WindowStats>({ type: 'window-end' });
    const from = await first;
    const cpu = { cpuMs: last.cpuMs - from.cpuMs, answered: last.answered - from.answered };
    windows.push(stats);
    await upstreams.settle();
    const upstream = total(await upstreams.counts());
    if (result.errors > 0) log(`  ${workload.name} c=${connections}: ${result.errors} errors, first: ${result.firstError}`);
    return { result, stats, upstreamPerOp: result.sent > 0 ? upstream / (result.sent / workload.perOperation) : 0, cpu };
  };
  return { measure, windows };
}

/** Every workload at each concurrency: cold (every request goes upstream, so the floor applies), then warm (primed). */
export async function measureLatency(fleet: Fleet, workloads: WorkloadRun[], measure: Measure): Promise<LatencyRow[]> {
  const latency: LatencyRow[] = [];
  const runAll = async (workload: WorkloadRun, cache: 'cold' | 'warm') => {
    for (const connections of CONCURRENCY) {
      log(`${workload.name} ${cache} cache, concurrency ${connections}, realistic latency, ${DURATION_S} s`);
      const { result, stats, upstreamPerOp } = await measure(cache === 'cold' ? fleet.gwCold : fleet.gw, workload, connections, DURATION_S);
      latency.push({ workload: workload.name, cache, connections, floor: workload.floor(REALISTIC), result, stats, upstreamPerOp });
    }
  };
  for (const workload of workloads) {
    await runAll(workload, 'cold');
    // Prime: the warm figures are about a warm cache.
    for (let i = 0; i < 3; i++) await post(fleet.gw.ready.url, workload.next()).catch(() => undefined);
    await runAll(workload, 'warm');
  }
  return latency;
}

/** Throughput, cold cache vs warm cache: the concurrency-50 runs of the latency phase. */
export function throughputOf(workloads: WorkloadRun[], latency: LatencyRow[]): ThroughputRow[] {
  return workloads.map((workload) => {
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
}

/** An executing run as issue 16 reports it. */
export const executedOf = (m: Measured): Omit<ExecutedRun, 'workload' | 'baseline'> => ({
  executing: m.result,
  stats: m.stats,
  cpu: m.cpu,
  upstreamPerOp: m.upstreamPerOp,
});

/**
 * At the latency now set (zero): the gateway's own CPU cost, warm, executing and cold, against
 * the plain-Yoga baseline (W1 and W2); the executing runs are also issue 16's executed runs.
 */
export async function measureBaseline(
  fleet: Fleet,
  workloads: WorkloadRun[],
  measure: Measure,
): Promise<{ rows: Report['baseline']; executed: ExecutedRun[] }> {
  const { gw, gwCold, gwRecords, baseline } = fleet;
  const rows: Report['baseline'] = [];
  const executed: ExecutedRun[] = [];
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
      next: workload.baselineNext ?? workload.next,
    });
    rows.push({
      workload: workload.name,
      gateway: gateway.result,
      gatewayExecuting: gatewayExecuting.result,
      gatewayCold: gatewayCold.result,
      baseline: plain,
    });
    executed.push({ workload: workload.name, ...executedOf(gatewayExecuting), baseline: plain });
  }
  return { rows, executed };
}

/** Rounds of W4 load on the normal gateway, each followed by calm and the heap after a GC. */
export async function runSoak(fleet: Fleet, workloads: WorkloadRun[], measure: Measure): Promise<SoakRound[]> {
  const soak: SoakRound[] = [];
  const w4 = workloads.find((w) => w.name === 'W4')!;
  for (let round = 1; round <= SOAK_ROUNDS; round++) {
    log(`soak round ${round}/${SOAK_ROUNDS}: W4 for ${SOAK_LOAD_S} s at zero latency (c=${SOAK_CONNECTIONS}), then ${SOAK_CALM_S} s calm`);
    const { result, stats } = await measure(fleet.gw, w4, SOAK_CONNECTIONS, SOAK_LOAD_S);
    await sleep(SOAK_CALM_S * 1000);
    const heap = await fleet.gw.call<number | null>({ type: 'heap-after-gc' });
    soak.push({ round, result, stats, heapAfterGcMb: heap });
  }
  return soak;
}
