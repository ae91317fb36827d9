/**
 * The bench's results as markdown: the machine, one section per figure of issue 8, and the
 * targets marked met or missed (bench/targets.ts). Each section renders its own lines; the
 * report is their concatenation.
 */
import { renderEmbeddedStore } from './embedded-store.ts';
import { coldAt, renderExecuted } from './executed-report.ts';
import { f1, mark, ms, ratio, table } from './markdown.ts';
import type { Report } from './report-types.ts';
import { evaluateTargets } from './targets.ts';

function renderHeader(r: Report): string[] {
  const s = r.settings;
  const m = r.machine;
  return [
    `# Switchboard benchmark — ${r.startedAt}${s.quick ? ' (BENCH_QUICK smoke run: short runs, not comparable)' : ''}`,
    '',
    table(
      ['node', 'CPU', 'cores', 'memory', 'OS', 'load average (1 min) at start → end'],
      [[m.node, m.cpu, m.cores, `${m.memoryGb} GB`, m.os, `${m.loadAverage} → ${r.loadAverageAtEnd}`]],
    ),
    '',
    `Sandbox world: ${s.contacts.toLocaleString('en')} contacts. Realistic latency: CRM ${s.realistic.crm} ms, billing ${s.realistic.billing} ms, chat ${s.realistic.chat} ms, ±${s.jitter * 100}% jitter. ` +
      `Each load run ${s.loadS} s (autocannon, in the driver process; sandbox, gateway and baseline each in their own process, all on the same ${m.cores} cores). Gateways: ${s.gatewayRuntime}. Write store: ${s.writeStore}. Whole run: ${r.durationS} s.`,
    '',
  ];
}

function renderTargets(r: Report): string[] {
  return [
    '## Targets',
    '',
    table(
      ['target', 'measured', ''],
      evaluateTargets(r).map((t) => [t.name, t.measured, mark(t.met)]),
    ),
    '',
  ];
}

function renderCounts(r: Report): string[] {
  return [
    '## Upstream requests per client request',
    '',
    'Counted at the sandbox (`GET /__sandbox/requests`) for one request. Cold: the gateway with every cache TTL 0. Warm: the same request repeated within the TTL.',
    '',
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
    '',
    `Not per request: the Slack users directory (${r.directory.users.toLocaleString('en')} members, ${r.directory.pages} \`users.list\` pages a read), which each gateway process reads as it starts and then every \`SLACK_DIRECTORY_REFRESH_SECONDS\` (300), kept current between reads by \`user_change\`/\`team_join\` events; the ${r.directory.gateways} gateways of this run made ${r.directory.callsAtStart} \`users.list\` calls starting. Slack counts 0 per request in the minimum for that reason.`,
    ...(r.w3Skipped ? [`\nW3 not measured: ${r.w3Skipped}.`] : []),
    '',
    'Requests by vendor route:',
    '',
    ...Object.entries(r.routes).map(
      ([workload, routes]) =>
        `- ${workload}: ${Object.entries(routes)
          .map(([route, n]) => `\`${route}\` ×${n}`)
          .join(', ')}`,
    ),
    '',
  ];
}

const LATENCY_HEAD = [
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
];

function renderLatency(r: Report): string[] {
  return [
    '## Latency over the critical-path floor (realistic latency)',
    '',
    'Cold: the gateway with every TTL 0, so each request makes its full set of upstream calls and the floor applies. Warm: the normal cache, primed; a request served from cache makes no upstream call and has no floor.',
    '',
    table(
      LATENCY_HEAD,
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
    '',
    'W3 alternates a mutation and a read of the record it changed; its upstream figure is per pair.',
    '',
  ];
}

function renderReplays(r: Report): string[] {
  return [
    "The floor adds each level's nominal latency. What any gateway would wait for here is more: with ±20% jitter a level waits for the slowest of its calls, and each call costs its round trip and the transfer of its answer. The replay measures that — the cold request's own upstream calls, as the sandbox logged them, sent straight to the sandbox, each the moment the call it waited for (the last one answered before it arrived) has answered, bodies read and dropped, one run after another:",
    '',
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
        const c1 = coldAt(r, x.workload, 1);
        const floor = r.latency.find((l) => l.workload === x.workload)?.floor;
        return [
          x.workload,
          x.shape,
          x.p50Ms,
          x.p99Ms,
          floor ?? '—',
          c1 ? ms(c1.result, c1.result.p50) : '—',
          c1 && c1.result.requests > 0 ? `${f1(c1.result.p50 - x.p50Ms)} ms` : '—',
        ];
      }),
    ),
    '',
  ];
}

function renderThroughput(r: Report): string[] {
  return [
    '## Throughput, cold cache vs warm cache (realistic latency, concurrency 50)',
    '',
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
    '',
  ];
}

const BASELINE_HEAD = [
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
];

function renderBaseline(r: Report): string[] {
  return [
    '## Cost of stitching: zero upstream latency vs a plain Yoga server over the same data in memory (concurrency 50)',
    '',
    'Warm: the gateway as deployed, whose response cache answers a repeated query without executing it. Executing: the same gateway with `RESPONSE_CACHE=0`, so every request is planned, delegated and assembled over warm record caches — the cost of stitching itself. Cold: every TTL 0.',
    '',
    table(
      BASELINE_HEAD,
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
    '',
  ];
}

function renderMemory(r: Report): string[] {
  return [
    '## Memory and event loop',
    '',
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
    '',
  ];
}

function renderSoak(r: Report): string[] {
  const soak = r.settings.soak;
  return [
    `## Soak: ${soak.rounds} rounds of ${soak.loadS} s W4 load (zero latency, concurrency ${soak.connections}) and ${soak.calmS} s calm`,
    '',
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
    '',
  ];
}

export function renderReport(r: Report): string {
  return [
    ...renderHeader(r),
    ...renderTargets(r),
    ...renderCounts(r),
    ...renderLatency(r),
    ...renderReplays(r),
    ...renderThroughput(r),
    ...renderBaseline(r),
    ...renderExecuted(r),
    ...renderMemory(r),
    ...(r.embeddedStore ? [...renderEmbeddedStore(r.embeddedStore), ''] : []),
    ...renderSoak(r),
  ].join('\n');
}
