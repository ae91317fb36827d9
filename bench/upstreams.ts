/** The sandbox's three vendors as the bench drives them: latency knobs, request counts and logs, resets. */
import type { SystemName } from '@switchboard/sandbox';
import type { LoggedCall } from './replay.ts';
import { JITTER, SYSTEMS, sleep } from './settings.ts';
import type { Latencies } from './workloads.ts';

interface SandboxLog {
  total: number;
  byRoute: Record<string, number>;
  recent: Omit<LoggedCall, 'system'>[];
}

export const total = (counts: Record<SystemName, number>) => counts.crm + counts.billing + counts.chat;

export class Upstreams {
  constructor(readonly urls: Record<SystemName, string>) {}

  async setLatency(latency: Latencies): Promise<void> {
    await Promise.all(
      SYSTEMS.map(async (system) => {
        const response = await fetch(`${this.urls[system]}/__sandbox/knobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ latencyMs: latency[system], jitterMs: latency[system] * JITTER }),
        });
        if (!response.ok) throw new Error(`setting ${system} knobs failed: ${response.status}`);
      }),
    );
  }

  /**
   * Waits until no upstream request has arrived for 500 ms (at most 60 s): requests still in
   * flight when autocannon stops keep calling upstream, and must neither be lost from this
   * run's count nor leak into the next run's.
   */
  async settle(): Promise<void> {
    let last = -1;
    let quietSince = Date.now();
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
      const now = total(await this.counts());
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= 500) return;
    }
  }

  async reset(): Promise<void> {
    await Promise.all(
      SYSTEMS.map((system) => fetch(`${this.urls[system]}/__sandbox/reset`, { method: 'POST' }).then((r) => r.arrayBuffer())),
    );
  }

  async counts(): Promise<Record<SystemName, number>> {
    const logs = await this.logs();
    return Object.fromEntries(SYSTEMS.map((system) => [system, logs[system].total])) as Record<SystemName, number>;
  }

  /** Requests per vendor route, e.g. `billing GET /v1/customers/search: 6`. */
  async routes(): Promise<Record<string, number>> {
    const logs = await this.logs();
    return Object.fromEntries(
      SYSTEMS.flatMap((system) => Object.entries(logs[system].byRoute).map(([route, n]) => [`${system} ${route}`, n])),
    );
  }

  /** The calls since the last reset, as each system logged them (its last 100). */
  async calls(): Promise<LoggedCall[]> {
    const logs = await this.logs();
    return SYSTEMS.flatMap((system) => logs[system].recent.map((entry) => ({ ...entry, system })));
  }

  private async logs(): Promise<Record<SystemName, SandboxLog>> {
    const entries = await Promise.all(
      SYSTEMS.map(async (system) => {
        const response = await fetch(`${this.urls[system]}/__sandbox/requests`);
        return [system, (await response.json()) as SandboxLog] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<SystemName, SandboxLog>;
  }
}
