/**
 * The nemesis's process faults: a replica killed with SIGKILL (chosen, when it can be, while
 * a write it serves is in flight) and started again, and the soak's Redis killed and
 * started empty. Starting again is retried: one slow or failed boot must not end the soak.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Prng } from '@switchboard/sandbox';
import type { History, Operation, Replica } from './history.ts';
import type { SoakRedis } from './redis.ts';
import type { ReplicaProcess } from './replicas.ts';

const START_ATTEMPTS = 3;

type Log = (line: string) => void;

// A boot that never got ready may still hold the port: it is killed before the next one.
export const startReplica = (replica: ReplicaProcess, log: Log) => startRetrying(replica.spec.name, replica, () => replica.kill(), log);

export const startRedis = (redis: SoakRedis, log: Log) => startRetrying('redis', redis, () => redis.stop(), log);

async function startRetrying(name: string, server: { start(): Promise<void> }, clear: () => Promise<void>, log: Log): Promise<boolean> {
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      await server.start();
      return true;
    } catch (error) {
      log(`${name}: start ${attempt} of ${START_ATTEMPTS} failed: ${(error as Error).message}`);
      await clear();
      await sleep(1000 * attempt);
    }
  }
  return false;
}

/**
 * The replica to kill and the write it cuts: waits (up to `waitMs`) for a cross-system
 * workflow that has been running at least `minAgeMs` (so it is past its first vendor call
 * more often than not), else any write in flight, else none. Only a running replica is a
 * candidate; the caller keeps the other one alive.
 */
export async function pickVictim(
  history: History,
  prng: Prng,
  candidates: Replica[],
  options: { waitMs: number; minAgeMs: number },
): Promise<{ replica: Replica; op?: Operation } | undefined> {
  if (candidates.length === 0) return undefined;
  const inFlight = (prefix: string, minAgeMs: number) =>
    history.operations.filter(
      (op) =>
        op.completion === undefined &&
        op.kind.startsWith(prefix) &&
        candidates.includes(op.replica) &&
        Date.now() - op.invokedAt >= minAgeMs,
    );
  const deadline = Date.now() + options.waitMs;
  while (Date.now() < deadline) {
    const workflows = inFlight('workflow:', options.minAgeMs);
    if (workflows.length > 0) {
      const op = prng.pick(workflows);
      return { replica: op.replica, op };
    }
    await sleep(20);
  }
  const writes = inFlight('write:', 0);
  if (writes.length > 0) {
    const op = prng.pick(writes);
    return { replica: op.replica, op };
  }
  return { replica: prng.pick(candidates) };
}
