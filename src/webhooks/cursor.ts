/**
 * The catch-up cursor: per vendor, the time (epoch ms) of the latest change the gateway has
 * seen from it. Durable, so a restart knows where to resume: a Redis hash when Redis is
 * configured (shared by the replicas), else a small JSON file under the data directory,
 * replaced atomically (write a temp file, then rename) so a crash never leaves half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { SystemName } from '../errors.ts';

export interface CursorStore {
  get(system: SystemName): Promise<number | undefined>;
  /** Moves the cursor forward to `at`; never back. */
  advance(system: SystemName, at: number): Promise<void>;
  close(): Promise<void>;
}

export function createCursorStore(options: { redisUrl?: string; namespace: string; dataDir: string }): CursorStore {
  return options.redisUrl
    ? redisCursor(options.redisUrl, `${options.namespace}:webhooks:cursor`)
    : fileCursor(join(options.dataDir, `${sanitize(options.namespace)}-webhook-cursor.json`));
}

const sanitize = (name: string) => name.replace(/[^\w.-]/g, '_');

function redisCursor(url: string, key: string): CursorStore {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  // A failed command reports its error to the caller; unheard, ioredis would also print each connection error.
  redis.on('error', () => undefined);
  return {
    async get(system) {
      const value = await redis.hget(key, system);
      return value === null ? undefined : Number(value);
    },
    async advance(system, at) {
      await redis.eval(
        "local v = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') if tonumber(ARGV[2]) > v then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return 1",
        1,
        key,
        system,
        String(at),
      );
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function fileCursor(path: string): CursorStore {
  let state: Partial<Record<SystemName, number>> | undefined;
  // Writes are chained so two advances never race on the temp file.
  let writing: Promise<void> = Promise.resolve();
  const load = async () => {
    if (state) return state;
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
      state = typeof parsed === 'object' && parsed !== null ? (parsed as Partial<Record<SystemName, number>>) : {};
    } catch {
      state = {};
    }
    return state;
  };
  return {
    async get(system) {
      const value = (await load())[system];
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    },
    async advance(system, at) {
      const current = await load();
      if ((current[system] ?? 0) >= at) return;
      current[system] = at;
      const snapshot = JSON.stringify(current);
      writing = writing.then(async () => {
        await mkdir(join(path, '..'), { recursive: true });
        const temp = `${path}.${process.pid}.tmp`;
        await writeFile(temp, snapshot);
        await rename(temp, path);
      });
      await writing;
    },
    async close() {
      await writing.catch(() => undefined);
    },
  };
}
