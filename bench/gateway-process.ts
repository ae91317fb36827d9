/**
 * The gateway under test, as `npm start` builds it (`loadConfig` from the environment,
 * `createGateway`, served by `node:http`), plus measurement over IPC only: peak RSS
 * sampled every 50 ms, event-loop delay from `perf_hooks.monitorEventLoopDelay`, heap
 * after GC (the driver forks this with `--expose-gc`), and the process's CPU time beside the
 * responses it has sent (for CPU per request). No route is added to the gateway.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createGateway, createLogger, loadConfig, resolveUpstreams } from '../src/index.ts';
import type { CpuMark, GatewayReplyMsg, GatewayRequestMsg, WindowStats } from './protocol.ts';

const send = (msg: GatewayReplyMsg) => process.send?.(msg);
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

let server: ReturnType<typeof createServer>;
let answered = 0;
try {
  const config = loadConfig(process.env);
  const gateway = createGateway({ config, upstreams: resolveUpstreams(config), logger: createLogger(config.logLevel) });
  // As `npm start` does at start; awaited here so every measurement sees the steady state.
  await gateway.warmUp();
  server = createServer((req, res) => {
    res.once('finish', () => answered++);
    void gateway.yoga(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  process.on('disconnect', () => {
    server.close();
    void gateway.close().then(() => process.exit(0));
  });
} catch (error) {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 50);
sampler.unref();

const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (msg: GatewayRequestMsg) => {
  if (msg.type === 'window-start') {
    loop.reset();
    peakRss = process.memoryUsage.rss();
    send({ type: 'reply', id: msg.id, value: null });
  } else if (msg.type === 'window-end') {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const stats: WindowStats = { peakRssMb: mb(peakRss), eventLoopP99Ms: loop.percentile(99) / 1e6, eventLoopMaxMs: loop.max / 1e6 };
    send({ type: 'reply', id: msg.id, value: stats });
  } else if (msg.type === 'cpu-mark') {
    const cpu = process.cpuUsage();
    const mark: CpuMark = { cpuMs: (cpu.user + cpu.system) / 1000, answered };
    send({ type: 'reply', id: msg.id, value: mark });
  } else if (msg.type === 'heap-after-gc') {
    // Two passes: the first can leave finalizer-held objects for the second.
    gc?.();
    gc?.();
    send({ type: 'reply', id: msg.id, value: gc ? mb(process.memoryUsage().heapUsed) : null });
  }
});

send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
