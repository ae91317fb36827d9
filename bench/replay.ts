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
import type { SystemName } from '@switchboard/sandbox';
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

/** Sends call graphs straight to the sandbox, over connections kept open between replays. */
class Replayer {
  private readonly pools = new Map<SystemName, Pool>();
  constructor(private readonly urls: Record<SystemName, string>) {}

  private poolOf(system: SystemName): Pool {
    let pool = this.pools.get(system);
    if (!pool) this.pools.set(system, (pool = new Pool(this.urls[system], { connections: 64 })));
    return pool;
  }

  private async send(call: LoggedCall): Promise<void> {
    const response = await this.poolOf(call.system).request({
      method: call.method as 'GET' | 'POST',
      path: call.path + call.search,
      headers: {
        authorization: `Bearer ${SANDBOX_CREDENTIALS[call.system]}`,
        ...(call.body ? { 'content-type': 'application/json' } : {}),
      },
      body: call.body,
    });
    await response.body.arrayBuffer();
  }

  /** One replay of `graph`, ms. */
  async once(graph: CallGraph): Promise<number> {
    const started = performance.now();
    const done: Promise<void>[] = [];
    graph.calls.forEach((call, index) => {
      const before = graph.after[index];
      done.push((before === undefined ? Promise.resolve() : done[before]).then(() => this.send(call)));
    });
    await Promise.all(done);
    return performance.now() - started;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}

function percentiles(times: number[]): Pick<ReplayResult, 'p50Ms' | 'p99Ms'> {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** Replays `graph` `runs` times, one after another, after three unmeasured runs that open the connections. */
export async function replay(urls: Record<SystemName, string>, graph: CallGraph, runs: number): Promise<ReplayResult> {
  const replayer = new Replayer(urls);
  try {
    for (let i = 0; i < 3; i++) await replayer.once(graph);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await replayer.once(graph));
    return { shape: shapeOf(graph), ...percentiles(times) };
  } finally {
    await replayer.close();
  }
}

/**
 * Replays a set of graphs (the query mix's operations) `rounds` times over, in their order,
 * one after another, after one unmeasured pass over the first three: the percentiles are
 * over every replay, as a load run's are over every request of the mix.
 */
export async function replayEach(urls: Record<SystemName, string>, graphs: CallGraph[], rounds: number): Promise<ReplayResult> {
  const replayer = new Replayer(urls);
  try {
    for (const graph of graphs.slice(0, 3)) await replayer.once(graph);
    const times: number[] = [];
    for (let round = 0; round < rounds; round++) for (const graph of graphs) times.push(await replayer.once(graph));
    const calls = graphs.map((g) => g.calls.length).sort((a, b) => a - b);
    const levels = graphs.map((g) => depthOf(g).reduce((max, d) => Math.max(max, d + 1), 0));
    const shape = `${graphs.length} operations: ${calls[0]}–${calls.at(-1)} calls (median ${calls[Math.floor(calls.length / 2)]}), ${Math.min(...levels)}–${Math.max(...levels)} levels`;
    return { shape, ...percentiles(times) };
  } finally {
    await replayer.close();
  }
}

/** Each call's depth: 0 for a call that waited for nothing. */
function depthOf({ after }: CallGraph): number[] {
  const depth: number[] = [];
  after.forEach((before, index) => (depth[index] = before === undefined ? 0 : depth[before] + 1));
  return depth;
}

function shapeOf(graph: CallGraph): string {
  const { calls } = graph;
  const depth = depthOf(graph);
  const levels: Map<SystemName, number>[] = [];
  calls.forEach((call, index) => {
    const level = (levels[depth[index]] ??= new Map());
    level.set(call.system, (level.get(call.system) ?? 0) + 1);
  });
  return levels.map((level) => [...level].map(([system, n]) => `${system} ×${n}`).join(', ')).join(' → ');
}
