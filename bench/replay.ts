/**
 * The upstream calls of one cold client request, replayed straight against the sandbox
 * with nothing in between: each call is sent the moment the call it waited for has
 * answered (its body read to the end and thrown away), calls that waited for nothing at
 * once.
 *
 * The critical-path floor adds the nominal latency of each level's slowest system. With
 * jitter, a level's slowest call is slower than nominal (the slowest of five ±20% draws
 * around 30 ms averages 34 ms), and every call also costs its round trip and the
 * transfer of its answer. The replay measures that: what a gateway that spends no time of
 * its own would wait for on this machine, so `p50 − replay p50` is what the gateway adds.
 */
import { Pool } from 'undici';
import type { SystemName } from '../src/index.ts';
import { type RequestLogEntry, SANDBOX_CREDENTIALS } from '@switchboard/sandbox';

export interface LoggedCall extends RequestLogEntry {
  system: SystemName;
}

/** The calls in the order they arrived, each with the index of the call it waited for. */
export interface CallGraph {
  calls: LoggedCall[];
  after: (number | undefined)[];
}

/**
 * A call waited for the last call answered before it arrived: the gateway sends what an
 * answer makes possible as soon as it has read that answer. A call that arrived before
 * any answer waited for nothing.
 */
export function callGraphOf(logged: readonly LoggedCall[]): CallGraph {
  const calls = [...logged].sort((a, b) => a.at - b.at);
  const after = calls.map((call) => {
    let last: number | undefined;
    calls.forEach((earlier, index) => {
      if (
        earlier.answeredAt !== undefined &&
        earlier.answeredAt <= call.at &&
        (last === undefined || earlier.answeredAt > calls[last].answeredAt!)
      )
        last = index;
    });
    return last;
  });
  return { calls, after };
}

export interface ReplayResult {
  /** The calls by depth in the graph, e.g. `crm ×1 → crm ×2, billing ×5 → billing ×5`. */
  shape: string;
  p50Ms: number;
  p99Ms: number;
}

/** Replays `graph` `runs` times, one after another, after three unmeasured runs that open the connections. */
export async function replay(urls: Record<SystemName, string>, graph: CallGraph, runs: number): Promise<ReplayResult> {
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
      headers: {
        authorization: `Bearer ${SANDBOX_CREDENTIALS[call.system]}`,
        ...(call.body ? { 'content-type': 'application/json' } : {}),
      },
      body: call.body,
    });
    await response.body.arrayBuffer();
  };
  const once = async () => {
    const started = performance.now();
    const done: Promise<void>[] = [];
    graph.calls.forEach((call, index) => {
      const before = graph.after[index];
      done.push((before === undefined ? Promise.resolve() : done[before]).then(() => send(call)));
    });
    await Promise.all(done);
    return performance.now() - started;
  };
  try {
    for (let i = 0; i < 3; i++) await once();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await once());
    times.sort((a, b) => a - b);
    const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]);
    return { shape: shapeOf(graph), p50Ms: at(0.5), p99Ms: at(0.99) };
  } finally {
    await Promise.all([...pools.values()].map((pool) => pool.close()));
  }
}

function shapeOf({ calls, after }: CallGraph): string {
  const depth: number[] = [];
  after.forEach((before, index) => (depth[index] = before === undefined ? 0 : depth[before] + 1));
  const levels: Map<SystemName, number>[] = [];
  calls.forEach((call, index) => {
    const level = (levels[depth[index]] ??= new Map());
    level.set(call.system, (level.get(call.system) ?? 0) + 1);
  });
  return levels.map((level) => [...level].map(([system, n]) => `${system} ×${n}`).join(', ')).join(' → ');
}
