/**
 * Issue 16's figures in the report: the "Executed path" table (W1, W2, W4 and the query mix
 * executed over warm record caches, beside plain Yoga and beside their cold replays) and
 * the issue's targets, judged from the same figures.
 */
import type { LoadResult } from './load.ts';
import { f1, ms, ratio, table } from './markdown.ts';
import type { ColdRun, Report, Target } from './report-types.ts';
import type { WorkloadName } from './workloads.ts';

/** A workload's cold run at `connections` (every TTL 0, realistic latency): the latency table's, or the mix's own. */
export function coldAt(r: Report, workload: WorkloadName, connections: number): ColdRun | undefined {
  if (workload === 'MIX') return r.mix.cold.find((c) => c.connections === connections);
  return r.latency.find((l) => l.workload === workload && l.cache === 'cold' && l.connections === connections);
}

interface ExecutedFigures {
  workload: WorkloadName;
  executing: LoadResult;
  baseline: LoadResult;
  share: number;
  /** Gateway CPU per request answered, over the executed run's steady part. */
  cpuMs: number;
  upstreamPerOp: number;
  cold1?: ColdRun;
  cold10?: ColdRun;
  replayP50?: number;
  peakRssMb: number;
}

function figures(r: Report): ExecutedFigures[] {
  return r.executed.map((e) => ({
    workload: e.workload,
    executing: e.executing,
    baseline: e.baseline,
    share: ratio(e.executing.rps, e.baseline.rps),
    cpuMs: e.cpu.answered > 0 ? e.cpu.cpuMs / e.cpu.answered : Number.NaN,
    upstreamPerOp: e.upstreamPerOp,
    cold1: coldAt(r, e.workload, 1),
    cold10: coldAt(r, e.workload, 10),
    replayP50: r.replays.find((x) => x.workload === e.workload)?.p50Ms,
    peakRssMb: e.stats.peakRssMb,
  }));
}

const percent = (share: number) => (Number.isFinite(share) ? `${Math.round(share * 100)}%` : '—');
const p50Of = (run: ColdRun | undefined) => (run ? ms(run.result, run.result.p50) : '—');
const overReplay = (run: ColdRun | undefined, replay: number | undefined) =>
  run && run.result.requests > 0 && replay !== undefined ? `${f1(run.result.p50 - replay)} ms` : '—';

export function renderExecuted(r: Report): string[] {
  return [
    '## Executed path (issue 16)',
    '',
    `Executed: the gateway with \`RESPONSE_CACHE=0\` (record caches on, primed with the run's requests) at zero upstream latency and concurrency 50, every request planned, delegated and assembled; plain Yoga answers the same requests from memory. CPU: the gateway process's user + system time (every thread) divided by the requests it answered, between a mark a quarter into the run (at most 1 s) and one as it ends. Cold: the every-TTL-0 gateway at realistic latency, beside the replay of the request's own upstream calls (for the mix: each operation's calls, replayed in turn). MIX: ${r.mix.operations} distinct operations (contact pages at other cursors and sizes, contacts by owner and by lifecycle stage, contacts by ID with four selections, deals, companies with contacts, customers with invoices, chat users, channels) in a fixed shuffled order, so in-flight sharing of identical reads cannot flatter it. W4 executed: its first 50 filters in rotation, primed (a filter never seen before would be a search upstream, not execution over warm caches); W4 cold: its rotating filters as the latency table runs them, beside the replay of its first filter's calls only (other filters' pages differ in size and links, so its difference is approximate).`,
    '',
    table(
      [
        'workload',
        'executed req/s',
        'executed p50 ms',
        'executed upstream / request',
        'plain Yoga req/s',
        'executed ÷ plain',
        'gateway CPU ms / executed request',
        'cold p50 c=1 ms',
        'cold p50 c=10 ms',
        'replay p50 ms',
        'c=1 − replay',
        'c=10 − replay',
        'cold upstream / request (c=1 → c=10)',
        'peak RSS MB (executed run)',
        'errors (executed, plain)',
      ],
      figures(r).map((x) => [
        x.workload,
        x.executing.rps,
        ms(x.executing, x.executing.p50),
        f1(x.upstreamPerOp),
        x.baseline.rps,
        percent(x.share),
        Number.isFinite(x.cpuMs) ? x.cpuMs.toFixed(2) : '—',
        p50Of(x.cold1),
        p50Of(x.cold10),
        x.replayP50 ?? '—',
        overReplay(x.cold1, x.replayP50),
        overReplay(x.cold10, x.replayP50),
        x.cold1 && x.cold10 ? `${f1(x.cold1.upstreamPerOp)} → ${f1(x.cold10.upstreamPerOp)}` : '—',
        x.peakRssMb,
        `${x.executing.errors}, ${x.baseline.errors}`,
      ]),
    ),
    '',
    ...figures(r)
      .filter((x) => x.executing.errors + x.baseline.errors > 0)
      .map((x) => `**${x.workload} had errors**: ${x.executing.firstError ?? x.baseline.firstError}`),
  ];
}

function coldTarget(x: ExecutedFigures, connections: 1 | 10): Target | undefined {
  const run = connections === 1 ? x.cold1 : x.cold10;
  if (!run || x.replayP50 === undefined) return undefined;
  const done = run.result.requests > 0;
  return {
    name: `issue 16: cold ${x.workload} p50 ≤ replay of its own upstream calls + 10 ms (c=${connections})`,
    measured: done ? `p50 ${run.result.p50} ms, replay ${x.replayP50} ms (+${f1(run.result.p50 - x.replayP50)})` : 'no request completed',
    met: done && run.result.p50 <= x.replayP50 + 10,
  };
}

/** Issue 16's targets: executed share for W1 and the mix, cold W1 over its replay, CPU per executed W1, and no regression. */
export function executedTargets(r: Report): Target[] {
  const all = figures(r);
  const targets: Target[] = [];
  for (const x of all.filter((f) => f.workload === 'W1' || f.workload === 'MIX'))
    targets.push({
      name: `issue 16: executed throughput ≥ 60% of plain Yoga (${x.workload}, response cache off, record caches warm)`,
      measured: `${x.executing.rps} vs ${x.baseline.rps} req/s = ${percent(x.share)}`,
      met: x.share >= 0.6,
    });
  const w1 = all.find((f) => f.workload === 'W1');
  if (w1) {
    for (const c of [1, 10] as const) {
      const target = coldTarget(w1, c);
      if (target) targets.push(target);
    }
    targets.push({
      name: 'issue 16: gateway CPU per executed W1 request ≤ 4 ms',
      measured: Number.isFinite(w1.cpuMs) ? `${w1.cpuMs.toFixed(2)} ms` : 'not measured',
      met: w1.cpuMs <= 4,
    });
  }
  const counted = r.counts.find((c) => c.workload === 'W1');
  if (counted) {
    const cold = counted.cold.crm + counted.cold.billing + counted.cold.chat;
    targets.push({
      name: 'issue 16: no regression — W1 upstream calls 13 cold, 0 warm; RSS ≤ 300 MB',
      measured: `${cold} cold, ${counted.warm} warm; peak RSS ${r.memory.peakRssMb} MB`,
      met: cold <= 13 && counted.warm === 0 && r.memory.peakRssMb <= 300,
    });
  }
  return targets;
}
