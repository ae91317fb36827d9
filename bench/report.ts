/**
 * The bench's results as markdown: the machine, one table per figure of issue 8, and the
 * targets marked met or missed (measured, never asserted).
 */
import type { SystemName } from '../src/index.ts';
import type { LoadResult } from './load.ts';
import type { Machine } from './machine.ts';
import type { ReplayResult } from './replay.ts';
import type { WindowStats } from './protocol.ts';
import type { Latencies, WorkloadName } from './workloads.ts';
import { renderEmbeddedStore, type EmbeddedStoreFigures } from './embedded-store.ts';

export interface CountRow {
  workload: WorkloadName;
  cold: Record<SystemName, number>;
  warm: number;
  minimum: number;
  naive: number;
  note: string;
}

export interface LatencyRow {
  workload: WorkloadName;
  /** Which gateway served it: every TTL 0 (cold) or the normal cache (warm). */
  cache: 'cold' | 'warm';
  connections: number;
  floor: number;
  result: LoadResult;
  stats: WindowStats;
  upstreamPerOp: number;
}

export interface ThroughputRow {
  workload: WorkloadName;
  profile: 'realistic' | 'zero';
  cold: LoadResult;
  warm: LoadResult;
  coldUpstreamPerOp: number;
  warmUpstreamPerOp: number;
}

export interface SoakRound {
  round: number;
  result: LoadResult;
  stats: WindowStats;
  heapAfterGcMb: number | null;
}

export interface Report {
  machine: Machine;
  startedAt: string;
  durationS: number;
  settings: {
    writeStore: string;
    /** How the gateways ran: as `npm start` runs the gateway. */
    gatewayRuntime: string;
    quick: boolean;
    loadS: number;
    contacts: number;
    realistic: Latencies;
    jitter: number;
    soak: { rounds: number; loadS: number; calmS: number; connections: number };
  };
  w3Skipped?: string;
  /** Cold requests per vendor route, per workload. */
  routes: Record<string, Record<string, number>>;
  loadAverageAtEnd: number;
  readYourWrite?: boolean;
  /** The Slack users directory each gateway keeps: its size, pages per read, and users.list calls the gateways made starting. */
  directory: { users: number; pages: number; callsAtStart: number; gateways: number };
  counts: CountRow[];
  /** Each workload's cold upstream calls replayed with nothing in between (bench/replay.ts). */
  replays: ({ workload: WorkloadName } & ReplayResult)[];
  latency: LatencyRow[];
  throughput: ThroughputRow[];
  /** gateway: as deployed (response cache on); gatewayExecuting: every request executed over warm record caches. */
  baseline: { workload: WorkloadName; gateway: LoadResult; gatewayExecuting: LoadResult; gatewayCold: LoadResult; baseline: LoadResult }[];
  memory: { idleRssMb: number; peakRssMb: number; heapAtStartMb: number | null; heapAfterLoadMb: number | null; eventLoopP99Ms: number };
  soak: SoakRound[];
  /** The embedded write store (no DATABASE_URL) in a gateway started as `npm start` starts it (bench/embedded-store.ts). */
  embeddedStore?: EmbeddedStoreFigures;
}

const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const f1 = (n: number) => (Math.round(n * 10) / 10).toString();
/** A latency only means something when a request completed within the run. */
const ms = (r: LoadResult, value: number) => (r.requests > 0 ? value : '—');
const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
const mark = (ok: boolean) => (ok ? '**met**' : '**missed**');

export interface Target {
  name: string;
  measured: string;
  met: boolean;
}

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
  return targets;
}

export function renderReport(r: Report): string {
  const s = r.settings;
  const out: string[] = [];
  out.push(`# Switchboard benchmark — ${r.startedAt}${s.quick ? ' (BENCH_QUICK smoke run: short runs, not comparable)' : ''}`);
  out.push('');
  out.push(
    table(
      ['node', 'CPU', 'cores', 'memory', 'OS', 'load average (1 min) at start → end'],
      [
        [
          r.machine.node,
          r.machine.cpu,
          r.machine.cores,
          `${r.machine.memoryGb} GB`,
          r.machine.os,
          `${r.machine.loadAverage} → ${r.loadAverageAtEnd}`,
        ],
      ],
    ),
  );
  out.push('');
  out.push(
    `Sandbox world: ${s.contacts.toLocaleString('en')} contacts. Realistic latency: CRM ${s.realistic.crm} ms, billing ${s.realistic.billing} ms, chat ${s.realistic.chat} ms, ±${s.jitter * 100}% jitter. ` +
      `Each load run ${s.loadS} s (autocannon, in the driver process; sandbox, gateway and baseline each in their own process, all on the same ${r.machine.cores} cores). Gateways: ${s.gatewayRuntime}. Write store: ${s.writeStore}. Whole run: ${r.durationS} s.`,
  );
  out.push('');

  out.push('## Targets');
  out.push('');
  out.push(
    table(
      ['target', 'measured', ''],
      evaluateTargets(r).map((t) => [t.name, t.measured, mark(t.met)]),
    ),
  );
  out.push('');

  out.push('## Upstream requests per client request');
  out.push('');
  out.push(
    'Counted at the sandbox (`GET /__sandbox/requests`) for one request. Cold: the gateway with every cache TTL 0. Warm: the same request repeated within the TTL.',
  );
  out.push('');
  out.push(
    table(
      ['workload', 'cold (CRM + billing + chat)', 'warm', 'minimum the APIs permit (cold)', 'naive', 'note'],
      r.counts.map((c) => [
        c.workload,
        `${c.cold.crm + c.cold.billing + c.cold.chat} (${c.cold.crm} + ${c.cold.billing} + ${c.cold.chat})`,
        c.warm,
        c.minimum,
        c.naive,
        c.note,
      ]),
    ),
  );
  out.push('');
  out.push(
    `Not per request: the Slack users directory (${r.directory.users.toLocaleString('en')} members, ${r.directory.pages} \`users.list\` pages a read), which each gateway process reads as it starts and then every \`SLACK_DIRECTORY_REFRESH_SECONDS\` (300), kept current between reads by \`user_change\`/\`team_join\` events; the ${r.directory.gateways} gateways of this run made ${r.directory.callsAtStart} \`users.list\` calls starting. Slack counts 0 per request in the minimum for that reason.`,
  );
  if (r.w3Skipped) out.push(`\nW3 not measured: ${r.w3Skipped}.`);
  out.push('');
  out.push('Requests by vendor route:');
  out.push('');
  for (const [workload, routes] of Object.entries(r.routes)) {
    out.push(
      `- ${workload}: ${Object.entries(routes)
        .map(([route, n]) => `\`${route}\` ×${n}`)
        .join(', ')}`,
    );
  }
  out.push('');

  out.push('## Latency over the critical-path floor (realistic latency)');
  out.push('');
  out.push(
    'Cold: the gateway with every TTL 0, so each request makes its full set of upstream calls and the floor applies. Warm: the normal cache, primed; a request served from cache makes no upstream call and has no floor.',
  );
  out.push('');
  out.push(
    table(
      [
        'workload',
        'cache',
        'concurrency',
        'floor ms',
        'p50 ms',
        'p99 ms',
        'p50 − floor',
        'req/s',
        'errors',
        'upstream / request',
        'peak RSS MB',
        'event-loop p99 ms',
      ],
      r.latency.map((l) => [
        l.workload,
        l.cache,
        l.connections,
        l.floor,
        ms(l.result, l.result.p50),
        ms(l.result, l.result.p99),
        l.result.requests > 0 ? f1(l.result.p50 - l.floor) : '—',
        l.result.rps,
        l.result.errors,
        f1(l.upstreamPerOp),
        l.stats.peakRssMb,
        f1(l.stats.eventLoopP99Ms),
      ]),
    ),
  );
  out.push('');
  out.push('W3 alternates a mutation and a read of the record it changed; its upstream figure is per pair.');
  out.push('');
  out.push(
    "The floor adds each level's nominal latency. What any gateway would wait for here is more: with ±20% jitter a level waits for the slowest of its calls, and each call costs its round trip and the transfer of its answer. The replay measures that — the cold request's own upstream calls, as the sandbox logged them, sent straight to the sandbox, each the moment the call it waited for (the last one answered before it arrived) has answered, bodies read and dropped, one run after another:",
  );
  out.push('');
  out.push(
    table(
      [
        'workload',
        'upstream calls, by what they waited for',
        'replay p50 ms',
        'replay p99 ms',
        'nominal floor ms',
        'gateway cold p50 at c=1 ms',
        "the gateway's own share (c=1)",
      ],
      r.replays.map((x) => {
        const c1 = r.latency.find((l) => l.workload === x.workload && l.cache === 'cold' && l.connections === 1);
        return [
          x.workload,
          x.shape,
          x.p50Ms,
          x.p99Ms,
          c1?.floor ?? '—',
          c1 ? ms(c1.result, c1.result.p50) : '—',
          c1 && c1.result.requests > 0 ? `${f1(c1.result.p50 - x.p50Ms)} ms` : '—',
        ];
      }),
    ),
  );
  out.push('');

  out.push('## Throughput, cold cache vs warm cache (realistic latency, concurrency 50)');
  out.push('');
  out.push(
    table(
      [
        'workload',
        'cold req/s',
        'cold p50 ms',
        'cold upstream / request',
        'warm req/s',
        'warm upstream / request',
        'warm ÷ cold',
        'cold errors',
      ],
      r.throughput.map((t) => [
        t.workload,
        t.cold.rps,
        ms(t.cold, t.cold.p50),
        f1(t.coldUpstreamPerOp),
        t.warm.rps,
        f1(t.warmUpstreamPerOp),
        t.cold.rps > 0 ? `${f1(ratio(t.warm.rps, t.cold.rps))}×` : '— (no cold request completed)',
        t.cold.errors,
      ]),
    ),
  );
  out.push('');

  out.push('## Cost of stitching: zero upstream latency vs a plain Yoga server over the same data in memory (concurrency 50)');
  out.push('');
  out.push(
    'Warm: the gateway as deployed, whose response cache answers a repeated query without executing it. Executing: the same gateway with `RESPONSE_CACHE=0`, so every request is planned, delegated and assembled over warm record caches — the cost of stitching itself. Cold: every TTL 0.',
  );
  out.push('');
  out.push(
    table(
      [
        'workload',
        'gateway warm req/s',
        'gateway warm p50 ms',
        'gateway executing req/s',
        'gateway executing p50 ms',
        'gateway cold req/s',
        'plain Yoga req/s',
        'plain Yoga p50 ms',
        'warm ÷ plain',
        'executing ÷ plain',
      ],
      r.baseline.map((b) => [
        b.workload,
        b.gateway.rps,
        ms(b.gateway, b.gateway.p50),
        b.gatewayExecuting.rps,
        ms(b.gatewayExecuting, b.gatewayExecuting.p50),
        b.gatewayCold.rps,
        b.baseline.rps,
        ms(b.baseline, b.baseline.p50),
        `${Math.round(ratio(b.gateway.rps, b.baseline.rps) * 100)}%`,
        `${Math.round(ratio(b.gatewayExecuting.rps, b.baseline.rps) * 100)}%`,
      ]),
    ),
  );
  out.push('');

  out.push('## Memory and event loop');
  out.push('');
  out.push(
    table(
      [
        'RSS idle after start (cache on)',
        'peak RSS under load (either gateway)',
        'heap after GC at start',
        'heap after GC after the latency runs',
        'worst event-loop delay p99 of a run',
      ],
      [
        [
          `${r.memory.idleRssMb} MB`,
          `${r.memory.peakRssMb} MB`,
          `${r.memory.heapAtStartMb ?? 'n/a'} MB`,
          `${r.memory.heapAfterLoadMb ?? 'n/a'} MB`,
          `${f1(r.memory.eventLoopP99Ms)} ms`,
        ],
      ],
    ),
  );
  out.push('');

  if (r.embeddedStore) {
    out.push(...renderEmbeddedStore(r.embeddedStore));
    out.push('');
  }

  out.push(
    `## Soak: ${s.soak.rounds} rounds of ${s.soak.loadS} s W4 load (zero latency, concurrency ${s.soak.connections}) and ${s.soak.calmS} s calm`,
  );
  out.push('');
  out.push(
    table(
      ['round', 'requests', 'req/s', 'p99 ms', 'errors', 'peak RSS MB', 'heap after GC MB'],
      r.soak.map((x) => [
        x.round,
        x.result.requests,
        x.result.rps,
        ms(x.result, x.result.p99),
        x.result.errors,
        x.stats.peakRssMb,
        x.heapAfterGcMb ?? 'n/a',
      ]),
    ),
  );
  out.push('');
  return out.join('\n');
}
