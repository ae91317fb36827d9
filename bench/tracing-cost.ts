/**
 * What OpenTelemetry tracing costs: W1 executed on two gateways alike but for
 * OTEL_EXPORTER_OTLP_ENDPOINT — one with tracing off, one exporting every span over OTLP/HTTP
 * to a sink in this (the driver's) process, so the export's own cost (JSON encoding, HTTP) is
 * counted in the gateway. Two settings: `executed` (response cache off, record caches warm: the
 * bench's executed path, no upstream call) and `cold` (every cache off, the response cache too:
 * each request makes its upstream calls, one attempt span each, or joins an identical one in flight). The runs alternate off/on for `rounds` rounds, so a
 * machine that slows down mid-run slows both; the medians are compared.
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import type { AddressInfo } from 'node:net';
import { forkChild, type Child } from './children.ts';
import { benchGatewayEnv, type CacheSetting } from './gateway-env.ts';
import { runLoad } from './load.ts';
import type { CpuMark, SandboxReplyMsg } from './protocol.ts';
import { AUTH, BENCH_KEY, log, sleep } from './settings.ts';
import { body, W1_QUERY } from './workloads.ts';

type ServerChild = Child<{ type: 'ready'; url: string }>;

/** The collector stand-in: answers every export at once, counting batches, bytes and spans. */
export interface SpanSink {
  url: string;
  posts: number;
  bytes: number;
  spans: number;
  close(): Promise<void>;
}

export async function startSpanSink(): Promise<SpanSink> {
  const sink = { posts: 0, bytes: 0, spans: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      sink.posts++;
      sink.bytes += text.length;
      // Each span has exactly one "spanId" key (links and parents use other names).
      sink.spans += text.split('"spanId"').length - 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(sink, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

export interface TracingRun {
  rps: number;
  /** Gateway CPU per answered request, ms. */
  cpuMsPerRequest: number;
  p50: number;
  errors: number;
}

export interface TracingCost {
  setting: 'executed' | 'cold';
  off: TracingRun;
  on: TracingRun;
  /** 1 − the median of the rounds' on/off throughput: the share tracing costs (negative: within noise, on was faster). */
  throughputCost: number;
  /** on/off gateway CPU per request − 1. */
  cpuCost: number;
  /** Whether the gateway under load had a core to itself (`pinning`). */
  pinned: boolean;
  /** Spans the sink received per request answered by the traced gateway (all exported, none dropped, when it matches one traced request's). */
  spansPerRequest: number;
}

export interface TracingCostOptions {
  vendors: Extract<SandboxReplyMsg, { type: 'ready' }>;
  /** The gateway process to fork: bench/gateway-process.ts (source, with tsx) or its compiled dist/ copy. */
  script: string | URL;
  dataDir: string;
  rounds: number;
  durationS: number;
  connections: number;
  /** The sandbox's process, kept off the gateways' core with the driver (see `pinning`). */
  sandboxPid?: number;
}

/**
 * On a machine with 2+ cores the gateway under load gets the last core to itself, and the
 * driver, the sandbox and the span sink share the others: otherwise the four compete for two
 * cores and the scheduler, not tracing, decides each run's throughput (unpinned, one machine's
 * rounds ranged 58–100 req/s). Linux's `taskset`; where it is missing, nothing is pinned.
 */
function pinning(sandboxPid: number | undefined): { gateway(pid: number | undefined): void; release(): void; pinned: boolean } {
  const cores = availableParallelism();
  const set = (cpus: string, pid: number | undefined) => {
    if (pid === undefined) return false;
    try {
      execFileSync('taskset', ['-apc', cpus, String(pid)], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const others = cores > 2 ? `0-${cores - 2}` : '0';
  const pinned = cores >= 2 && set(others, process.pid);
  if (pinned) set(others, sandboxPid);
  return {
    gateway: (pid) => pinned && set(String(cores - 1), pid),
    // What runs after this measurement (the rest of `npm run bench`) has every core again.
    release: () => {
      if (pinned) for (const pid of [process.pid, sandboxPid]) set(`0-${cores - 1}`, pid);
    },
    pinned,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round1 = (value: number) => Math.round(value * 10) / 10;

async function loadOnce(gateway: ServerChild, durationS: number, connections: number): Promise<TracingRun> {
  const mark = () => gateway.call<CpuMark>({ type: 'cpu-mark' });
  const from = await mark();
  const payload = body(W1_QUERY);
  const result = await runLoad({ url: gateway.ready.url, headers: AUTH, connections, durationS, next: () => payload });
  const to = await mark();
  const answered = to.answered - from.answered;
  return {
    rps: result.rps,
    cpuMsPerRequest: answered > 0 ? Math.round(((to.cpuMs - from.cpuMs) / answered) * 100) / 100 : Number.NaN,
    p50: result.p50,
    errors: result.errors,
  };
}

function medianRun(runs: TracingRun[]): TracingRun {
  return {
    rps: median(runs.map((r) => r.rps)),
    cpuMsPerRequest: median(runs.map((r) => r.cpuMsPerRequest)),
    p50: median(runs.map((r) => r.p50)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** Measures one cache setting: two gateways (off, on), alternating load runs, medians compared. */
async function measureSetting(options: TracingCostOptions, sink: SpanSink, setting: TracingCost['setting']): Promise<TracingCost> {
  const cache: CacheSetting = setting === 'executed' ? 'records-only' : 'cold';
  const env = (traced: boolean) => {
    const base = benchGatewayEnv({
      urls: options.vendors.urls,
      credentials: options.vendors.credentials,
      cache,
      apiKey: BENCH_KEY,
      dataDir: `${options.dataDir}/${setting}-${traced ? 'on' : 'off'}`,
    });
    delete base.OTEL_EXPORTER_OTLP_ENDPOINT;
    // Cold as "every cache off": identical requests in flight must not share one execution either.
    if (setting === 'cold') base.RESPONSE_CACHE = '0';
    // The batch processor's queue (default 2048) would drop spans at this rate; the cost of exporting every one is measured.
    return traced ? { ...base, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_BSP_MAX_QUEUE_SIZE: '65536' } : base;
  };
  const fork = (traced: boolean) =>
    forkChild<{ type: 'ready'; url: string }>(options.script, `gateway (${setting}, tracing ${traced ? 'on' : 'off'})`, {
      env: env(traced),
    });
  const [off, on] = [await fork(false), await fork(true)];
  const pin = pinning(options.sandboxPid);
  pin.gateway(off.process.pid);
  pin.gateway(on.process.pid);
  try {
    log(`tracing cost, W1 ${setting}: warm-up of both gateways`);
    await loadOnce(off, 2, options.connections);
    await loadOnce(on, 2, options.connections);
    await sleep(5_500);
    const offRuns: TracingRun[] = [];
    const onRuns: TracingRun[] = [];
    let spans = 0;
    let answered = 0;
    // Every run starts after the same pause (the batch processor exports every 5 s at most: the traced
    // run's last batch arrives in it), and the order alternates, so an order effect falls on both alike.
    const runOff = async () => {
      offRuns.push(await loadOnce(off, options.durationS, options.connections));
      await sleep(5_500);
    };
    const runOn = async () => {
      const before = sink.spans;
      const run = await loadOnce(on, options.durationS, options.connections);
      await sleep(5_500);
      spans += sink.spans - before;
      answered += run.rps * options.durationS;
      onRuns.push(run);
    };
    for (let round = 0; round < options.rounds; round++) {
      for (const measure of round % 2 === 0 ? [runOff, runOn] : [runOn, runOff]) await measure();
      log(`  round ${round + 1}: off ${offRuns.at(-1)!.rps} req/s, on ${onRuns.at(-1)!.rps} req/s`);
    }
    const [offMedian, onMedian] = [medianRun(offRuns), medianRun(onRuns)];
    return {
      setting,
      off: offMedian,
      on: onMedian,
      // Each round's on/off pair ran back to back, so a machine slowing down mid-run moves both: the median of the pairs' ratios.
      throughputCost: Math.round((1 - median(onRuns.map((run, i) => run.rps / offRuns[i].rps))) * 1000) / 1000,
      pinned: pin.pinned,
      cpuCost: Math.round((onMedian.cpuMsPerRequest / offMedian.cpuMsPerRequest - 1) * 1000) / 1000,
      spansPerRequest: round1(spans / answered),
    };
  } finally {
    pin.release();
    await Promise.all([off.stop(), on.stop()]);
  }
}

export async function measureTracingCost(options: TracingCostOptions): Promise<TracingCost[]> {
  const sink = await startSpanSink();
  try {
    const results: TracingCost[] = [];
    for (const setting of ['executed', 'cold'] as const) results.push(await measureSetting(options, sink, setting));
    return results;
  } finally {
    await sink.close();
  }
}

const pct = (value: number) => `${(value * 100).toFixed(1)} %`;

/** The figures as a markdown table, with the ≤ 5 % target. */
export function renderTracingCost(results: TracingCost[], connections: number): string {
  const rows = results.map(
    (r) =>
      `| W1 ${r.setting}${r.pinned ? '' : ' (unpinned)'} | ${r.off.rps} | ${r.on.rps} | ${(1 - r.throughputCost).toFixed(3)} | ${pct(r.throughputCost)} | ` +
      `${r.off.cpuMsPerRequest} → ${r.on.cpuMsPerRequest} (${pct(r.cpuCost)}) | ${r.spansPerRequest} | ${r.throughputCost <= 0.05 ? 'met' : 'missed'} |`,
  );
  return [
    `Tracing cost (c=${connections}, zero upstream latency; every span exported over OTLP/HTTP to a local sink; the gateway under load on a core of its own; on/off: median of the rounds' paired ratios; target ≤ 5 % throughput)`,
    '',
    '| workload | off req/s (median) | on req/s (median) | on/off | throughput cost | gateway CPU ms/request | spans/request | ≤ 5 % |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
