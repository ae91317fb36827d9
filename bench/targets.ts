/** The targets of issue 8, then issue 16's, judged from the measured figures (measured, never asserted). */
import { executedTargets } from './executed-report.ts';
import { f1, ratio } from './markdown.ts';
import type { Report, Target } from './report-types.ts';

export function evaluateTargets(r: Report): Target[] {
  const targets: Target[] = [];
  const w1 = r.counts.find((c) => c.workload === 'W1');
  if (w1) {
    const cold = w1.cold.crm + w1.cold.billing + w1.cold.chat;
    targets.push({
      name: 'W1 ≤ 14 upstream requests cold, 0 warm',
      measured: `${cold} cold, ${w1.warm} warm`,
      met: cold <= 14 && w1.warm === 0,
    });
  }
  const w1c10 = r.latency.find((l) => l.workload === 'W1' && l.cache === 'cold' && l.connections === 10);
  if (w1c10) {
    const replayed = r.replays.find((x) => x.workload === 'W1');
    targets.push({
      name: 'W1 p50 ≤ floor + 10 ms at concurrency 10 (cold cache: every request goes upstream)',
      measured:
        w1c10.result.requests > 0
          ? `p50 ${w1c10.result.p50} ms, floor ${w1c10.floor} ms${replayed ? ` (its upstream calls alone, replayed with jitter: p50 ${replayed.p50Ms} ms)` : ''}`
          : 'no request completed within the run',
      met: w1c10.result.requests > 0 && w1c10.result.p50 <= w1c10.floor + 10,
    });
  }
  const w1t = r.throughput.find((t) => t.workload === 'W1');
  if (w1t) {
    const x = ratio(w1t.warm.rps, w1t.cold.rps);
    targets.push({
      name: 'warm throughput ≥ 5× cold (W1, realistic latency, c=50)',
      measured:
        w1t.cold.rps > 0
          ? `${w1t.warm.rps} vs ${w1t.cold.rps} req/s = ${f1(x)}×`
          : `${w1t.warm.rps} req/s warm; no cold request completed within the run`,
      met: x >= 5,
    });
  }
  for (const b of r.baseline) {
    const share = ratio(b.gateway.rps, b.baseline.rps);
    targets.push({
      name: `zero-latency throughput ≥ 50% of plain Yoga (${b.workload}, as deployed)`,
      measured: `${b.gateway.rps} vs ${b.baseline.rps} req/s = ${Math.round(share * 100)}%`,
      met: share >= 0.5,
    });
    // The same target without the response cache: what stitching itself costs per executed request.
    const executing = ratio(b.gatewayExecuting.rps, b.baseline.rps);
    targets.push({
      name: `… and with every request executed (${b.workload}, response cache off, record caches warm)`,
      measured: `${b.gatewayExecuting.rps} vs ${b.baseline.rps} req/s = ${Math.round(executing * 100)}%`,
      met: executing >= 0.5,
    });
  }
  targets.push({ name: 'RSS under load ≤ 300 MB', measured: `peak ${r.memory.peakRssMb} MB`, met: r.memory.peakRssMb <= 300 });
  const e = r.embeddedStore;
  if (e) {
    targets.push({
      name: 'embedded write store: RSS with writes ≤ 300 MB',
      measured: `peak ${e.peakRssMb} MB, ${e.rssAfterWritesMb} MB after ${e.crossSystemWrites} cross-system writes`,
      met: e.peakRssMb <= 300,
    });
    targets.push({
      name: 'embedded write store: first write well under a second',
      measured: `${e.firstWriteMs} ms`,
      met: e.firstWriteMs < 1000,
    });
  }
  const heaps = r.soak.map((s) => s.heapAfterGcMb).filter((h): h is number => h !== null);
  if (heaps.length >= 3) {
    // Round 1 fills the caches to their bound; growth is judged from round 2 on, with 5% noise allowed.
    const reference = heaps[1];
    const last = heaps[heaps.length - 1];
    targets.push({
      name: 'no heap growth in the soak (heap after GC, round 2 → last)',
      measured: `${heaps.map(f1).join(' → ')} MB`,
      met: last <= reference * 1.05 + 1,
    });
  }
  return [...targets, ...executedTargets(r)];
}
