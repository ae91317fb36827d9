/**
 * The upstream call graph of one cold client request, replayed straight against the
 * sandbox with nothing in between: each dependent level's calls at once, the next level
 * when the last of them has answered, every body read to its end and thrown away.
 *
 * The critical-path floor adds the nominal latency of each level's slowest system. With
 * jitter, a level's slowest call is slower than nominal (the slowest of five ±20% draws
 * around 30 ms averages 34 ms), and every call also costs its HTTP round trip and the
 * transfer of its answer. The replay measures that: what any gateway would wait for on
 * this machine, so `p50 − replay p50` is what the gateway itself adds.
 */
import { Pool } from 'undici';
import type { SystemName } from '../src/errors.ts';
import { SANDBOX_CREDENTIALS } from '../src/sandbox/credentials.ts';
import type { RequestLogEntry } from '../src/sandbox/http.ts';

export interface LoggedCall extends RequestLogEntry {
  system: SystemName;
}

/**
 * Calls a request sent at the same moment are one level; a call that arrived more than
 * LEVEL_GAP_MS after the previous one waited for an answer. Every level of the bench's
 * workloads waits at least 15 ms (the chat latency, less its jitter).
 */
const LEVEL_GAP_MS = 8;

export function levelsOf(calls: readonly LoggedCall[]): LoggedCall[][] {
  const levels: LoggedCall[][] = [];
  let previous = -Infinity;
  for (const call of [...calls].sort((a, b) => a.at - b.at)) {
    if (call.at - previous > LEVEL_GAP_MS || levels.length === 0) levels.push([]);
    levels.at(-1)!.push(call);
    previous = call.at;
  }
  return levels;
}

export interface ReplayResult {
  /** The levels in order, e.g. `crm ×1 → crm ×2, billing ×5 → billing ×5`. */
  shape: string;
  p50Ms: number;
  p99Ms: number;
}

/** Replays `levels` `runs` times, one after another, after three unmeasured runs that open the connections. */
export async function replay(urls: Record<SystemName, string>, levels: readonly LoggedCall[][], runs: number): Promise<ReplayResult> {
  const pools = new Map<SystemName, Pool>();
  const poolOf = (system: SystemName) => {
    let pool = pools.get(system);
    if (!pool) pools.set(system, (pool = new Pool(urls[system], { connections: 64 })));
    return pool;
  };
  const send = async (call: LoggedCall) => {
    const response = await poolOf(call.system).request({
      method: call.method as 'GET' | 'POST',
      path: call.path + call.search,
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS[call.system]}`, ...(call.body ? { 'content-type': 'application/json' } : {}) },
      body: call.body,
    });
    await response.body.arrayBuffer();
  };
  const once = async () => {
    const started = performance.now();
    for (const level of levels) await Promise.all(level.map(send));
    return performance.now() - started;
  };
  try {
    for (let i = 0; i < 3; i++) await once();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await once());
    times.sort((a, b) => a - b);
    const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]);
    return { shape: shapeOf(levels), p50Ms: at(0.5), p99Ms: at(0.99) };
  } finally {
    await Promise.all([...pools.values()].map((pool) => pool.close()));
  }
}

function shapeOf(levels: readonly LoggedCall[][]): string {
  return levels
    .map((level) => {
      const bySystem = new Map<SystemName, number>();
      for (const call of level) bySystem.set(call.system, (bySystem.get(call.system) ?? 0) + 1);
      return [...bySystem].map(([system, n]) => `${system} ×${n}`).join(', ');
    })
    .join(' → ');
}
