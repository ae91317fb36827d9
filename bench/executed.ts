/**
 * Issue 16's executed path: what a request costs when it is really executed (response cache
 * off, record caches warm: the `records-only` gateway), for W1, W2, W4 and the query mix
 * (bench/mix.ts), beside the plain-Yoga baseline over the same requests; and the mix cold,
 * at realistic latency, beside the replay of each of its operations' own upstream calls.
 */
import { post, type Fleet } from './fleet.ts';
import { runLoad } from './load.ts';
import { buildMix, rotation, type MixOperation } from './mix.ts';
import { executedOf, type Measure } from './phases.ts';
import type { ColdRun, ExecutedRun } from './report-types.ts';
import { callGraphOf, replayEach, type CallGraph, type ReplayResult } from './replay.ts';
import { DURATION_S, MIX_REPLAY_ROUNDS, THROUGHPUT_CONNECTIONS, log } from './settings.ts';
import type { WorkloadRun } from './workload-runs.ts';
import { body, W4_QUERY, w4Variables } from './workloads.ts';

/** The mix for each server: the same operations over the same pages, each with its own cursors. */
export interface MixPlan {
  gateway: MixOperation[];
  baseline: MixOperation[];
}

/** Builds the mix on the records-only gateway and on the baseline (sending each operation once to each; any error throws). */
export async function planMix(fleet: Fleet): Promise<MixPlan> {
  const facts = { ownerIds: fleet.facts.ownerIds };
  const gateway = await buildMix((payload) => post(fleet.gwRecords.ready.url, payload), facts);
  const baseline = await buildMix((payload) => post(fleet.baseline.ready.url, payload), facts);
  log(`query mix: ${gateway.length} distinct operations, each answered without errors by the gateway and by plain Yoga`);
  return { gateway, baseline };
}

export function mixRun(plan: MixPlan): WorkloadRun {
  return {
    name: 'MIX',
    title: `query mix: ${plan.gateway.length} distinct operations in a fixed shuffled order`,
    next: rotation(plan.gateway),
    baselineNext: rotation(plan.baseline),
    perOperation: 1,
    // Each operation has its own call graph: the replay (below) stands for the floor.
    floor: () => Number.NaN,
  };
}

/** Under the latency now set (realistic): the mix on the every-TTL-0 gateway at c=1 and c=10, then each operation's calls replayed. */
export async function measureMixCold(fleet: Fleet, plan: MixPlan, measure: Measure): Promise<{ cold: ColdRun[]; replay: ReplayResult }> {
  const mix = mixRun(plan);
  const cold: ColdRun[] = [];
  for (const connections of [1, 10]) {
    log(`MIX cold cache, concurrency ${connections}, realistic latency, ${DURATION_S} s`);
    const { result, stats, upstreamPerOp } = await measure(fleet.gwCold, mix, connections, DURATION_S);
    cold.push({ connections, result, stats, upstreamPerOp });
  }
  log(`MIX: each operation's cold upstream calls, logged one operation at a time, then replayed ${MIX_REPLAY_ROUNDS} times over`);
  const graphs: CallGraph[] = [];
  for (const op of plan.gateway) {
    await fleet.upstreams.reset();
    await post(fleet.gwCold.ready.url, op.body);
    graphs.push(callGraphOf(await fleet.upstreams.calls()));
  }
  const replay = await replayEach(fleet.sandbox.ready.urls, graphs, MIX_REPLAY_ROUNDS);
  log(`  ${replay.shape}: p50 ${replay.p50Ms} ms`);
  return { cold, replay };
}

/**
 * At the latency now set (zero): the records-only gateway at c=50, primed with the workload's
 * requests (the whole mix, for the mix), then plain Yoga over the same requests.
 */
export async function measureExecuted(fleet: Fleet, workload: WorkloadRun, measure: Measure, primers: string[]): Promise<ExecutedRun> {
  log(`${workload.name} at zero latency: gateway executing (record caches only), then plain Yoga (c=${THROUGHPUT_CONNECTIONS})`);
  // A few at a time: W4's searches are slow to answer the first time (the sandbox's own work).
  const queue = [...primers];
  const primer = async () => {
    for (let payload = queue.shift(); payload !== undefined; payload = queue.shift()) await post(fleet.gwRecords.ready.url, payload);
  };
  await Promise.all([primer(), primer(), primer(), primer()]);
  const executing = await measure(fleet.gwRecords, workload, THROUGHPUT_CONNECTIONS, DURATION_S);
  const baseline = await runLoad({
    url: fleet.baseline.ready.url,
    headers: {},
    connections: THROUGHPUT_CONNECTIONS,
    durationS: DURATION_S,
    next: workload.baselineNext ?? workload.next,
  });
  if (baseline.errors > 0) log(`  plain Yoga ${workload.name}: ${baseline.errors} errors, first: ${baseline.firstError}`);
  return { workload: workload.name, ...executedOf(executing), baseline };
}

/** How many of W4's filters its executed run rotates over: each is primed, so its search is in the record caches (a new filter's would go upstream). */
const W4_EXECUTED_FILTERS = 50;

/** The executed runs W1 and W2 already had (bench/phases.ts), then W4 (its first filters, in rotation) and the mix. */
export async function measureExecutedRest(fleet: Fleet, workloads: WorkloadRun[], plan: MixPlan, measure: Measure): Promise<ExecutedRun[]> {
  const runs: ExecutedRun[] = [];
  const w4 = workloads.find((w) => w.name === 'W4');
  if (w4) {
    const nextW4 = w4Variables(fleet.facts);
    const bodies = Array.from({ length: W4_EXECUTED_FILTERS }, () => body(W4_QUERY, nextW4()));
    runs.push(await measureExecuted(fleet, { ...w4, next: rotation(bodies), baselineNext: rotation(bodies) }, measure, bodies));
  }
  runs.push(
    await measureExecuted(
      fleet,
      mixRun(plan),
      measure,
      plan.gateway.map((op) => op.body),
    ),
  );
  return runs;
}
