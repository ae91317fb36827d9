/**
 * The cross-request cache: one keyv instance per process, in memory (bounded, LRU) by
 * default or in Redis when several replicas must share it. Connectors see it only as a
 * ResourceCache, already scoped to one system and one upstream credential.
 *
 * Key scheme: `<namespace>:<system>:<credentialScope>:<resource>:<id>`, where
 * credentialScope is the first 16 hex characters of sha256(credential). Two gateways
 * configured with different tokens (which may see different records) never share an
 * entry, and the credential itself never reaches Redis.
 *
 * Values are stored wrapped as `{ v: value }`, so a cached `null` ("does not exist / no
 * link") survives serialization and stays distinct from a miss (`undefined`).
 *
 * In memory, records are kept as objects, not JSON: a warm request reads hundreds of
 * records, and parsing each one again was the largest cost of a warm request. They are
 * deep-frozen when stored, so every reader shares one immutable copy and a caller that
 * tries to change one gets a TypeError instead of corrupting the cache. The bound is in
 * bytes (each entry's JSON length, estimated) as well as in entries, since one Slack directory page
 * weighs as much as a thousand contacts.
 *
 * The cache fails open: when Redis is down, reads are misses and writes are dropped
 * (counted in `stats.errors` and logged), so an outage costs upstream calls, not
 * requests. After a failure, reads and writes skip the store for STORE_COOL_DOWN_MS so a
 * black-holed Redis does not add its connect timeout to every request. Deletes are always
 * attempted, and their failures logged at error level: they can leave an entry stale
 * until its TTL ends.
 */
import { createHash } from 'node:crypto';
import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import type { Logger } from 'pino';
import type { SystemName } from '../errors.ts';
import type { ResourceCache } from './types.ts';

export interface CacheStoreOptions {
  /** Use Redis at this URL; otherwise an in-process LRU. */
  redisUrl?: string;
  /** Bounds on the in-memory store (ignored for Redis, which has its own maxmemory policy). */
  maxEntries: number;
  /** Default 64 MiB of JSON. */
  maxBytes?: number;
  /** First key segment; tests use a unique one per run. Default 'switchboard'. */
  namespace?: string;
  logger?: Logger;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Store operations that failed and were treated as misses / dropped writes. */
  errors: number;
}

export interface CacheStore {
  /**
   * A view of the cache for one system and credential. `ttlSeconds` maps resource names
   * to TTLs; a resource without an entry uses `ttlSeconds.default`, else 60 s; a TTL of
   * 0 disables caching for that resource.
   */
  scoped(system: SystemName, credential: string, ttlSeconds: Readonly<Record<string, number>>): ResourceCache;
  readonly stats: Readonly<CacheStats>;
  readonly backend: 'memory' | 'redis';
  close(): Promise<void>;
}

const FALLBACK_TTL_SECONDS = 60;
const STORE_COOL_DOWN_MS = 5_000;
/**
 * How long an invalidation fences its keys against reads begun before it: longer than any
 * upstream read lives (the request deadline bounds it). Replicas compare their clocks here,
 * so they are assumed to agree within a few milliseconds (NTP), as the vendors' do.
 */
const FENCE_TTL_MS = 120_000;

interface Wrapped {
  v: unknown;
}

/** The credential's scope segment: stable per credential, useless for recovering it. */
export function credentialScope(credential: string): string {
  return createHash('sha256').update(credential).digest('hex').slice(0, 16);
}

/** Freezes a value and everything reachable from it, in place. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * About the length of `JSON.stringify(value)`, without building the string: measuring every
 * record written by serializing it was a top item of a cache-hostile workload's profile.
 */
export function jsonSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return 8;
    case 'boolean':
      return 5;
    case 'object': {
      if (value === null) return 4;
      let size = 2;
      if (Array.isArray(value)) {
        for (const item of value) size += jsonSize(item) + 1;
      } else {
        for (const key in value) size += key.length + 4 + jsonSize((value as Record<string, unknown>)[key]);
      }
      return size;
    }
    default:
      return 0;
  }
}

const DEFAULT_MAX_BYTES = 64 * 2 ** 20;

/**
 * A bounded Map for keyv's in-memory mode: least recently read or written entries are
 * evicted first once `maxEntries` or `maxBytes` is exceeded. Keyv stores `{ value, expires }`
 * here and checks expiry itself on read; expired entries that nobody reads age out through
 * LRU.
 */
export class LruMapStore {
  /** Keyv assigns its namespace here; keys arrive fully built, so it is unused. */
  namespace: string | undefined;
  private readonly entries = new Map<string, { value: unknown; bytes: number }>();
  private totalBytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError('maxBytes must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The JSON length of what is held, the measure `maxBytes` bounds. */
  get bytes(): number {
    return this.totalBytes;
  }

  get(key: string): unknown {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  getMany(keys: readonly string[]): unknown[] {
    return keys.map((key) => this.get(key));
  }

  setMany(entries: readonly { key: string; value: unknown }[]): boolean[] {
    return entries.map(({ key, value }) => this.set(key, value));
  }

  set(key: string, value: unknown): boolean {
    this.delete(key);
    const bytes = key.length + jsonSize(value);
    // An entry larger than the whole bound would only evict everything else, then itself.
    if (bytes > this.maxBytes) return false;
    this.entries.set(key, { value: deepFreeze(value), bytes });
    this.totalBytes += bytes;
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
    return true;
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
    return true;
  }

  deleteMany(keys: readonly string[]): boolean {
    let deleted = false;
    for (const key of keys) deleted = this.delete(key) || deleted;
    return deleted;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }
}

function createKeyv(options: CacheStoreOptions): { keyv: Keyv; backend: 'memory' | 'redis' } {
  if (!options.redisUrl) {
    // No serializer: the store keeps the (frozen) objects themselves.
    const store = new LruMapStore(options.maxEntries, options.maxBytes);
    return {
      keyv: new Keyv({ store, useKeyPrefix: false, namespace: undefined, serialize: undefined, deserialize: undefined }),
      backend: 'memory',
    };
  }
  const redis = new KeyvRedis(
    {
      url: options.redisUrl,
      // Without the offline queue a command fails at once while Redis is unreachable
      // (a miss for us) instead of waiting, unbounded, for a reconnect.
      disableOfflineQueue: true,
      // A few quick reconnects ride out a Redis restart; then the client gives up, and the
      // next operation after the cool-down connects afresh, so an outage costs one connect
      // attempt per STORE_COOL_DOWN_MS instead of a reconnect loop.
      socket: {
        connectTimeout: 2_000,
        reconnectStrategy: (retries: number) => (retries >= 3 ? new Error('Redis is unreachable') : 100 * 2 ** retries),
      },
    },
    { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 2_000 },
  );
  // keyv and @keyv/redis would each prefix the key (`ns::ns:key`); we build full keys.
  const keyv = new Keyv({ store: redis, useKeyPrefix: false, throwOnErrors: true });
  keyv.namespace = undefined;
  return { keyv, backend: 'redis' };
}

export function createCacheStore(options: CacheStoreOptions): CacheStore {
  const namespace = options.namespace ?? 'switchboard';
  const { keyv, backend } = createKeyv(options);
  const stats: CacheStats = { hits: 0, misses: 0, errors: 0 };
  // keyv re-emits store errors as events; without a listener an EventEmitter 'error' throws.
  keyv.on('error', () => undefined);
  const { storeHealthy, failed } = storeHealth(stats, backend, options.logger);

  function scoped(system: SystemName, credential: string, ttlSeconds: Readonly<Record<string, number>>): ResourceCache {
    const prefix = `${namespace}:${system}:${credentialScope(credential)}:`;
    const keyOf = (resource: string, id: string) => `${prefix}${resource}:${id}`;
    const fenceOf = (resource: string, id: string) => `${prefix}${resource}:${id}#fence`;
    const ttlMs = (resource: string) => 1000 * (ttlSeconds[resource] ?? ttlSeconds.default ?? FALLBACK_TTL_SECONDS);

    return {
      system,
      async getMany<T>(resource: string, ids: readonly string[]): Promise<(T | null | undefined)[]> {
        if (ids.length === 0) return [];
        const rows: unknown[] | void = storeHealthy()
          ? await keyv.getMany<Wrapped>(ids.map((id) => keyOf(resource, id))).catch((error: unknown) => failed('getMany', error))
          : undefined;
        if (!rows) {
          stats.misses += ids.length;
          return ids.map(() => undefined);
        }
        return ids.map((_, index) => {
          const row = rows[index] as Wrapped | undefined | null;
          if (row === undefined || row === null || typeof row !== 'object' || !('v' in row)) {
            stats.misses += 1;
            return undefined;
          }
          stats.hits += 1;
          return row.v as T | null;
        });
      },

      async setMany<T>(
        resource: string,
        entries: readonly (readonly [id: string, value: T | null])[],
        fetchedSince?: number,
      ): Promise<void> {
        const ttl = ttlMs(resource);
        if (entries.length === 0 || ttl <= 0 || !storeHealthy()) return;
        try {
          const fenced =
            fetchedSince === undefined ? undefined : await fencedIndexes(keyv, entries, ([id]) => fenceOf(resource, id), fetchedSince);
          const fresh = fenced ? entries.filter((_, index) => !fenced.has(index)) : entries;
          if (fresh.length === 0) return;
          await keyv.setMany(fresh.map(([id, value]) => ({ key: keyOf(resource, id), value: { v: value } satisfies Wrapped, ttl })));
        } catch (error) {
          failed('setMany', error);
        }
      },

      async fencedSince(resource: string, ids: readonly string[], since: number): Promise<string[]> {
        if (!storeHealthy()) return [...ids];
        const fenced = await fencedIndexes(keyv, ids, (id) => fenceOf(resource, id), since).catch((error: unknown) =>
          failed('fencedSince', error),
        );
        return fenced ? ids.filter((_, index) => fenced.has(index)) : [...ids];
      },

      async delete(resource: string, ids: readonly string[]): Promise<void> {
        if (ids.length === 0) return;
        try {
          const at = Date.now();
          await keyv.setMany(ids.map((id) => ({ key: fenceOf(resource, id), value: at, ttl: FENCE_TTL_MS })));
          await keyv.deleteMany(ids.map((id) => keyOf(resource, id)));
        } catch (error) {
          failed('delete', error, 'error');
        }
      },
    };
  }

  return {
    scoped,
    stats,
    backend,
    async close() {
      await keyv.disconnect();
    },
  };
}

/**
 * The indexes of the entries an invalidation fenced at or after `since`: a read of them begun
 * earlier may hold the value from before the change.
 */
async function fencedIndexes<E>(keyv: Keyv, entries: readonly E[], fenceKey: (entry: E) => string, since: number): Promise<Set<number>> {
  const fences = await keyv.getMany<number>(entries.map(fenceKey));
  const fenced = new Set<number>();
  fences.forEach((fence, index) => {
    if (typeof fence === 'number' && fence >= since) fenced.add(index);
  });
  return fenced;
}

/** A store that failed is skipped for a cool-down (every call would wait on its timeout); failures are counted and logged. */
function storeHealth(stats: CacheStats, backend: string, logger: Logger | undefined) {
  let skipStoreUntil = 0;
  return {
    storeHealthy: () => Date.now() >= skipStoreUntil,
    failed: (operation: string, error: unknown, level: 'warn' | 'error' = 'warn') => {
      stats.errors += 1;
      skipStoreUntil = Date.now() + STORE_COOL_DOWN_MS;
      logger?.[level]({ backend, operation, err: error }, 'cache operation failed');
    },
  };
}
