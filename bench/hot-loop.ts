/**
 * A quick in-process measure of the gateway's own CPU per request: the sandbox in its own
 * process (zero latency), the gateway here, one workload sent sequentially through the
 * full HTTP pipeline (`yoga.fetch`). Usage, as the bench runs the gateway (compiled, heap
 * budget, production mode — graphql-js reads NODE_ENV when it loads):
 * `npm run build && NODE_ENV=production node --max-old-space-size=192 dist/bench/hot-loop.js
 * [W1|W2|W4|MIX] [requests] [warm|cold] [concurrency]`; add `--cpu-prof` to see where the time
 * goes. RESPONSE_CACHE=0 turns the response cache off (in warm mode: execution over warm record caches only); SANDBOX_CPU_PROF=<dir>
 * profiles the sandbox process too. W4 rotates its filters as the bench does; MIX is the
 * bench's query mix (bench/mix.ts), built first (a walk of the lists and each operation once).
 */
import { createGateway, createLogger, fromRoot, loadConfig, resolveUpstreams } from '../src/index.ts';
import { forkChild } from './children.ts';
import { benchGatewayEnv } from './gateway-env.ts';
import type { SandboxReplyMsg, WorldFacts } from './protocol.ts';
import { buildMix, rotation, type MixPost } from './mix.ts';
import { W1_QUERY, W2_QUERY, W4_QUERY, body, w4Variables } from './workloads.ts';

if (process.env.NODE_ENV !== 'production')
  console.warn('NODE_ENV is not production: graphql-js runs its development checks, unlike the bench');
const [workload = 'W1', countArg = '200', mode = 'warm', concurrencyArg = '1'] = process.argv.slice(2);
// The sandbox from its sources, also when this loop runs compiled: dist/ holds no sandbox code.
const sandbox = await forkChild<Extract<SandboxReplyMsg, { type: 'ready' }>>(fromRoot('bench/sandbox-process.ts'), 'sandbox', {
  nodeArgs: process.env.SANDBOX_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SANDBOX_CPU_PROF}`] : [],
});
const key = 'sbk_hot_loop_key_0123456789abcdef';
const cache = mode === 'cold' ? 'cold' : process.env.RESPONSE_CACHE === '0' ? 'records-only' : 'warm';
const env = {
  ...benchGatewayEnv({ urls: sandbox.ready.urls, credentials: sandbox.ready.credentials, cache, apiKey: key }),
  ...(process.env.RESPONSE_CACHE === '0' ? { RESPONSE_CACHE: '0' } : {}),
};
const config = loadConfig(env);
const gateway = createGateway({ config, upstreams: resolveUpstreams(config), logger: createLogger(config.logLevel) });
const post: MixPost = async (payload) => {
  const res = await gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: payload,
  });
  const json = (await res.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  if (json.errors) throw new Error(JSON.stringify(json.errors).slice(0, 500));
  return json;
};
const facts = await sandbox.call<WorldFacts>({ type: 'facts' });
const nextW4 = w4Variables(facts);
const nextMix = workload === 'MIX' ? rotation(await buildMix(post, facts)) : undefined;
const nextBody = (): string => {
  if (nextMix) return nextMix();
  if (workload === 'W2') return body(W2_QUERY, { id: '10000001' });
  return workload === 'W4' ? body(W4_QUERY, nextW4()) : body(W1_QUERY);
};
const send = async () => {
  await post(nextBody());
};
for (let i = 0; i < 20; i++) await send();
const n = Number(countArg);
const concurrency = Number(concurrencyArg);
// ALLOC_PROF=<file>: a sampling profile of every allocation during the loop, collected or not.
const inspector = process.env.ALLOC_PROF ? new (await import('node:inspector/promises')).Session() : undefined;
if (inspector) {
  inspector.connect();
  await inspector.post('HeapProfiler.startSampling', {
    samplingInterval: 32768,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let sent = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (sent++ < n) await send();
  }),
);
const ms = (performance.now() - t0) / n;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000 / n;
clearInterval(sampler);
if (inspector) {
  const { profile } = await inspector.post('HeapProfiler.stopSampling');
  (await import('node:fs')).writeFileSync(process.env.ALLOC_PROF!, JSON.stringify(profile));
}
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
(globalThis as { gc?: () => void }).gc?.();
if (process.env.HEAP_SNAPSHOT) (await import('node:v8')).writeHeapSnapshot(process.env.HEAP_SNAPSHOT);
console.log(
  `${workload} ${mode}: ${ms.toFixed(2)} ms/request over ${n} requests at concurrency ${concurrency}, gateway CPU ${cpuMs.toFixed(2)} ms/request; peak rss ${mb(peakRss)} MB, heap ${mb(process.memoryUsage().heapUsed)} MB`,
);
await gateway.close();
await sandbox.stop();
process.exit(0);
