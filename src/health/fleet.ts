/**
 * The fleet view: with several replicas, each one's systems as that replica sees them. Every
 * replica writes its own report (its systems' states, and when) into one Redis hash every
 * `everyMs`; reading the fleet reads the hash and marks a replica whose last report is older
 * than `staleAfterMs` as stale — it stopped reporting (crashed, cut off, or shut down). A report
 * an hour old is dropped. Without Redis the fleet is this replica alone.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';
import type { HealthState } from './state.ts';

export const FLEET_REPORT_MS = 2_000;
export const FLEET_STALE_MS = 10_000;
const FORGET_MS = 3_600_000;

export interface ReplicaSystemState {
  system: string;
  state: HealthState;
  reason: string;
}

export interface ReplicaHealth {
  replica: string;
  /** This replica: the one that answered. */
  self: boolean;
  reportedAt: Date;
  /** No report for longer than the stale threshold: it stopped reporting. */
  stale: boolean;
  systems: ReplicaSystemState[];
}

export interface FleetOptions {
  redisUrl?: string;
  namespace: string;
  /** This replica's states now. */
  snapshot: () => ReplicaSystemState[];
  logger?: Logger;
  /** Default: host name, process id and a random suffix (two gateways in one process stay apart). */
  replica?: string;
  everyMs?: number;
  staleAfterMs?: number;
  now?: () => number;
}

export interface Fleet {
  list(): Promise<ReplicaHealth[]>;
  close(): Promise<void>;
}

interface Report {
  at: number;
  systems: ReplicaSystemState[];
}

export function createFleet(options: FleetOptions): Fleet {
  const now = options.now ?? Date.now;
  const replica = options.replica ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const staleAfterMs = options.staleAfterMs ?? FLEET_STALE_MS;
  const own = (): ReplicaHealth => ({ replica, self: true, reportedAt: new Date(now()), stale: false, systems: options.snapshot() });
  if (!options.redisUrl) return { list: async () => [own()], close: async () => undefined };

  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  // A failed command reports its error to its caller; unheard, ioredis would also print each connection error.
  redis.on('error', () => undefined);
  const hash = `${options.namespace}:health:replicas`;
  const report = () => redis.hset(hash, replica, JSON.stringify({ at: now(), systems: options.snapshot() } satisfies Report));
  const timer = setInterval(() => {
    report().catch((error: unknown) => options.logger?.debug({ err: error }, 'health report not written: redis unavailable'));
  }, options.everyMs ?? FLEET_REPORT_MS);
  timer.unref();

  return {
    async list() {
      await report();
      const at = now();
      const replicas: ReplicaHealth[] = [];
      const forgotten: string[] = [];
      for (const [id, text] of Object.entries(await redis.hgetall(hash))) {
        const { at: reportedAt, systems } = JSON.parse(text) as Report;
        if (at - reportedAt > FORGET_MS) forgotten.push(id);
        else
          replicas.push({
            replica: id,
            self: id === replica,
            reportedAt: new Date(reportedAt),
            stale: at - reportedAt > staleAfterMs,
            systems,
          });
      }
      if (forgotten.length > 0) await redis.hdel(hash, ...forgotten);
      return replicas.sort((a, b) => a.replica.localeCompare(b.replica));
    },
    async close() {
      clearInterval(timer);
      redis.disconnect();
    },
  };
}
