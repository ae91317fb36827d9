/**
 * The cross-request cache (memory and Redis) and the read-through DataLoader built on it:
 * bounds, TTLs, cached nulls, credential scoping, and how many ids reach `fetch`.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCachedLoader, invalidateCached, primeCache } from '../src/cache/cached-loader.ts';
import { createCacheStore, credentialScope, jsonSize, LruMapStore, type CacheStore } from '../src/cache/store.ts';
import type { ResourceCache } from '../src/cache/types.ts';

interface Contact {
  id: string;
  email: string;
}

const TTLS = { default: 60, contact: 60, message: 15, disabled: 0 };
const stores: CacheStore[] = [];

function memoryStore(maxEntries = 1_000): CacheStore {
  const store = createCacheStore({ maxEntries, namespace: `test-${randomUUID()}` });
  stores.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  vi.useRealTimers();
});

/** A fetch that records what it was asked for and answers ids that are in `known`. */
function recordingFetch(known: (id: string) => boolean = () => true) {
  const calls: string[][] = [];
  const fetch = async (ids: readonly string[]) => {
    calls.push([...ids]);
    return new Map(ids.filter(known).map((id) => [id, { id, email: `${id}@example.com` } as Contact]));
  };
  return { calls, fetch };
}

describe('memory store', () => {
  it('evicts the least recently used entry once over maxEntries', async () => {
    const cache = memoryStore(3).scoped('crm', 'token', TTLS);
    await cache.setMany('contact', [
      ['1', { n: 1 }],
      ['2', { n: 2 }],
      ['3', { n: 3 }],
    ]);
    await cache.getMany('contact', ['1']); // 1 is now more recent than 2

    await cache.setMany('contact', [['4', { n: 4 }]]);

    expect(await cache.getMany('contact', ['1', '2', '3', '4'])).toEqual([{ n: 1 }, undefined, { n: 3 }, { n: 4 }]);
  });

  it('never holds more than maxEntries', () => {
    const lru = new LruMapStore(100);
    for (let i = 0; i < 1_000; i++) lru.set(`k${i}`, i);

    expect(lru.size).toBe(100);
    expect(lru.get('k899')).toBeUndefined();
    expect(lru.get('k999')).toBe(999);
  });

  it('keeps a cached null distinct from a miss', async () => {
    const cache = memoryStore().scoped('billing', 'sk_test_1', TTLS);
    await cache.setMany('customer', [['cus_1', null]]);

    expect(await cache.getMany('customer', ['cus_1', 'cus_2'])).toEqual([null, undefined]);
  });

  it('expires entries after the resource TTL', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = memoryStore().scoped('chat', 'xoxb-1', TTLS);
    await cache.setMany('message', [['m1', { text: 'hi' }]]);
    await cache.setMany('contact', [['c1', { id: 'c1' }]]);

    vi.setSystemTime(Date.now() + 15_001);

    expect(await cache.getMany('message', ['m1'])).toEqual([undefined]);
    expect(await cache.getMany('contact', ['c1'])).toEqual([{ id: 'c1' }]);
  });

  it('uses the default TTL for a resource without its own', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = memoryStore().scoped('crm', 'token', { default: 5 });
    await cache.setMany('pipeline', [['p1', { id: 'p1' }]]);

    vi.setSystemTime(Date.now() + 4_000);
    expect(await cache.getMany('pipeline', ['p1'])).toEqual([{ id: 'p1' }]);
    vi.setSystemTime(Date.now() + 1_001);
    expect(await cache.getMany('pipeline', ['p1'])).toEqual([undefined]);
  });

  it('does not cache a resource whose TTL is 0', async () => {
    const cache = memoryStore().scoped('crm', 'token', TTLS);
    await cache.setMany('disabled', [['1', { id: '1' }]]);

    expect(await cache.getMany('disabled', ['1'])).toEqual([undefined]);
  });

  it('does not share entries between two credentials of the same system', async () => {
    const store = memoryStore();
    const alice = store.scoped('crm', 'token-alice', TTLS);
    const bob = store.scoped('crm', 'token-bob', TTLS);
    await alice.setMany('contact', [['1', { owner: 'alice' }]]);

    expect(await bob.getMany('contact', ['1'])).toEqual([undefined]);
    expect(await alice.getMany('contact', ['1'])).toEqual([{ owner: 'alice' }]);
  });

  it('does not share entries between systems with the same credential', async () => {
    const store = memoryStore();
    await store.scoped('crm', 'same', TTLS).setMany('contact', [['1', { from: 'crm' }]]);

    expect(await store.scoped('chat', 'same', TTLS).getMany('contact', ['1'])).toEqual([undefined]);
  });

  it('deletes every id it is given', async () => {
    const cache = memoryStore().scoped('crm', 'token', TTLS);
    await cache.setMany('contact', [
      ['1', { id: '1' }],
      ['2', { id: '2' }],
      ['3', { id: '3' }],
    ]);

    await cache.delete('contact', ['1', '3']);

    expect(await cache.getMany('contact', ['1', '2', '3'])).toEqual([undefined, { id: '2' }, undefined]);
  });

  it('counts hits and misses per id', async () => {
    const store = memoryStore();
    const cache = store.scoped('crm', 'token', TTLS);
    await cache.setMany('contact', [
      ['1', { id: '1' }],
      ['2', null],
    ]);

    await cache.getMany('contact', ['1', '2', '3']);

    expect(store.stats).toMatchObject({ hits: 2, misses: 1 });
  });

  it('hands out frozen records, so a caller cannot change what the cache holds', async () => {
    const cache = memoryStore().scoped('crm', 'token', TTLS);
    await cache.setMany('contact', [['1', { id: '1', tags: ['a'] }]]);
    const [first] = await cache.getMany<{ id: string; tags: string[] }>('contact', ['1']);

    expect(() => first!.tags.push('mutated')).toThrow(TypeError);
    expect(() => {
      first!.id = '2';
    }).toThrow(TypeError);
    expect(await cache.getMany('contact', ['1'])).toEqual([{ id: '1', tags: ['a'] }]);
  });

  it("estimates a record's JSON size within a tenth of the real length", () => {
    const record = {
      id: '10000001',
      properties: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@example.com', amount_due: 129900, paid: false, note: null },
      tags: ['a', 'bb'],
      lines: [{ id: 'il_1', amount: 500 }],
    };
    const real = JSON.stringify(record).length;
    expect(Math.abs(jsonSize(record) - real)).toBeLessThan(real / 10);
    expect(jsonSize('x'.repeat(100))).toBe(102);
  });

  it('bounds the memory store by the JSON size of its entries, least recently used first', async () => {
    const store = new LruMapStore(1_000, 1_000);
    const record = (n: number) => ({ id: String(n), padding: 'x'.repeat(280) });
    for (const n of [1, 2, 3]) store.set(`k${n}`, record(n));
    expect(store.bytes).toBeLessThanOrEqual(1_000);
    expect(store.size).toBe(3);

    store.get('k1');
    store.set('k4', record(4));

    expect(store.has('k2')).toBe(false);
    expect([store.has('k1'), store.has('k3'), store.has('k4')]).toEqual([true, true, true]);
    expect(store.bytes).toBeLessThanOrEqual(1_000);
    // An entry larger than the whole bound is not stored (it would evict everything else).
    expect(store.set('huge', { padding: 'x'.repeat(2_000) })).toBe(false);
    expect(store.size).toBe(3);
    store.delete('k1');
    store.clear();
    expect(store.bytes).toBe(0);
  });

  it('derives the credential scope from a hash, never the credential', () => {
    const scope = credentialScope('sk_live_secret');

    expect(scope).toMatch(/^[0-9a-f]{16}$/);
    expect(scope).not.toContain('secret');
    expect(credentialScope('sk_live_secret')).toBe(scope);
    expect(credentialScope('sk_live_other')).not.toBe(scope);
  });
});

describe('unreachable Redis', () => {
  it('fails open: reads are misses and writes are dropped, counted as errors', async () => {
    const store = createCacheStore({ redisUrl: 'redis://127.0.0.1:1', maxEntries: 10, namespace: `test-${randomUUID()}` });
    stores.push(store);
    const cache = store.scoped('crm', 'token', TTLS);

    await cache.setMany('contact', [['1', { id: '1' }]]);
    expect(await cache.getMany('contact', ['1', '2'])).toEqual([undefined, undefined]);
    expect(store.stats.errors).toBeGreaterThanOrEqual(1);
    expect(store.stats.misses).toBe(2);
  });
});

describe('cached loader', () => {
  it('fetches a batch of misses in one call and serves the next request from the cache', async () => {
    const cache = memoryStore().scoped('crm', 'token', TTLS);
    const { calls, fetch } = recordingFetch();

    const first = createCachedLoader<Contact>({ cache, resource: 'contact', maxBatchSize: 100, fetch });
    await Promise.all(['1', '2', '3', '4', '5'].map((id) => first.load(id)));
    expect(calls).toEqual([['1', '2', '3', '4', '5']]);

    // A new request gets a new loader; only ids no request has seen reach the upstream.
    const second = createCachedLoader<Contact>({ cache, resource: 'contact', maxBatchSize: 100, fetch });
    const values = await second.loadMany(['2', '6', '4', '7']);
    expect(calls).toEqual([
      ['1', '2', '3', '4', '5'],
      ['6', '7'],
    ]);
    expect(values).toEqual(['2', '6', '4', '7'].map((id) => ({ id, email: `${id}@example.com` })));
  });

  it('splits 250 misses into fetches of at most maxBatchSize ids', async () => {
    const cache = memoryStore().scoped('crm', 'token', TTLS);
    const { calls, fetch } = recordingFetch();
    const loader = createCachedLoader<Contact>({ cache, resource: 'contact', maxBatchSize: 100, fetch });

    await loader.loadMany(Array.from({ length: 250 }, (_, i) => String(i)));

    expect(calls.map((ids) => ids.length)).toEqual([100, 100, 50]);
  });

  it('answers null for ids the fetch leaves out, and caches that answer', async () => {
    const cache = memoryStore().scoped('crm', 'token', TTLS);
    const { calls, fetch } = recordingFetch((id) => id !== 'ghost');

    const first = createCachedLoader<Contact>({ cache, resource: 'contact', maxBatchSize: 100, fetch });
    expect(await first.loadMany(['1', 'ghost'])).toEqual([{ id: '1', email: '1@example.com' }, null]);

    const second = createCachedLoader<Contact>({ cache, resource: 'contact', maxBatchSize: 100, fetch });
    expect(await second.load('ghost')).toBeNull();
    expect(calls).toEqual([['1', 'ghost']]);
  });

  it('gives every uncached key the fetch error while cached keys still resolve', async () => {
    const cache = memoryStore().scoped('crm', 'token', TTLS);
    await cache.setMany('contact', [['cached', { id: 'cached', email: 'c@example.com' }]]);
    const outage = new Error('HubSpot CRM is unavailable');
    let calls = 0;
    const loader = createCachedLoader<Contact>({
      cache,
      resource: 'contact',
      maxBatchSize: 100,
      fetch: async () => {
        calls += 1;
        throw outage;
      },
    });

    const values = await loader.loadMany(['a', 'cached', 'b']);

    expect(values).toEqual([outage, { id: 'cached', email: 'c@example.com' }, outage]);
    expect(calls).toBe(1);
    expect(await cache.getMany('contact', ['a', 'b'])).toEqual([undefined, undefined]);
  });

  it('shares one cache entry between ids that cacheKeyFn normalizes alike', async () => {
    const cache = memoryStore().scoped('chat', 'xoxb', TTLS);
    const { calls, fetch } = recordingFetch();
    const options = { cache, resource: 'userByEmail', maxBatchSize: 50, fetch, cacheKeyFn: (id: string) => id.toLowerCase() };

    await createCachedLoader<Contact>(options).loadMany(['Ann@Example.com', 'ann@example.com']);
    await createCachedLoader<Contact>(options).load('ANN@EXAMPLE.COM');

    expect(calls).toEqual([['Ann@Example.com']]);
  });

  it('falls back to fetching when the cache cannot be read', async () => {
    const broken: ResourceCache = {
      getMany: async () => {
        throw new Error('cache down');
      },
      setMany: async () => {
        throw new Error('cache down');
      },
      fencedSince: async () => {
        throw new Error('cache down');
      },
      delete: async () => undefined,
    };
    const { calls, fetch } = recordingFetch();
    const loader = createCachedLoader<Contact>({ cache: broken, resource: 'contact', maxBatchSize: 10, fetch });

    expect(await loader.loadMany(['1', '2'])).toEqual([
      { id: '1', email: '1@example.com' },
      { id: '2', email: '2@example.com' },
    ]);
    expect(calls).toEqual([['1', '2']]);
  });

  it('primes records from a list so that loading them does not fetch', async () => {
    const cache = memoryStore().scoped('crm', 'token', TTLS);
    const { calls, fetch } = recordingFetch();
    const loader = createCachedLoader<Contact>({ cache, resource: 'contact', maxBatchSize: 100, fetch });

    await primeCache({ cache, resource: 'contact', loader }, [['9', { id: '9', email: 'listed@example.com' }]]);

    expect(await loader.load('9')).toEqual({ id: '9', email: 'listed@example.com' });
    expect(await createCachedLoader<Contact>({ cache, resource: 'contact', maxBatchSize: 100, fetch }).load('9')).toEqual({
      id: '9',
      email: 'listed@example.com',
    });
    expect(calls).toEqual([]);
  });

  it('refetches a record after it is invalidated', async () => {
    const cache = memoryStore().scoped('crm', 'token', TTLS);
    const { calls, fetch } = recordingFetch();
    const loader = createCachedLoader<Contact>({ cache, resource: 'contact', maxBatchSize: 100, fetch });
    await loader.load('1');

    await invalidateCached({ cache, resource: 'contact', loader }, ['1']);
    await loader.load('1');

    expect(calls).toEqual([['1'], ['1']]);
  });
});

const redisAvailable = (process.env.SWITCHBOARD_SERVICES ?? '').split(',').includes('redis');

describe.runIf(redisAvailable)('Redis store', () => {
  const REDIS_URL = 'redis://127.0.0.1:6379';
  const namespace = `switchboard-test-${randomUUID()}`;
  let redis: Redis;
  let store: CacheStore;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    store = createCacheStore({ redisUrl: REDIS_URL, maxEntries: 10, namespace });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${namespace}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await store.close();
    redis.disconnect();
  });

  it('stores keys as namespace:system:credentialScope:resource:id, without the credential', async () => {
    await store.scoped('billing', 'sk_test_very_secret', TTLS).setMany('customer', [['cus_1', { id: 'cus_1' }]]);

    const keys = await redis.keys(`${namespace}:*`);
    expect(keys).toEqual([`${namespace}:billing:${credentialScope('sk_test_very_secret')}:customer:cus_1`]);
    expect(keys[0]).not.toContain('very_secret');
  });

  it('round-trips records and cached nulls', async () => {
    const cache = store.scoped('crm', 'token', TTLS);
    await cache.setMany('contact', [
      ['1', { id: '1', tags: ['x'] }],
      ['2', null],
    ]);

    expect(await cache.getMany('contact', ['1', '2', '3'])).toEqual([{ id: '1', tags: ['x'] }, null, undefined]);
  });

  it('reads many ids with one MGET round trip', async () => {
    const cache = store.scoped('crm', 'token', TTLS);
    await cache.setMany('deal', [
      ['1', { id: '1' }],
      ['2', { id: '2' }],
      ['3', { id: '3' }],
    ]);
    const monitor = await redis.monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((arg) => arg.startsWith(namespace))) commands.push(args);
    });
    // MONITOR starts streaming asynchronously; a marker command tells us it is live.
    await redis.get(`${namespace}:marker`);
    await vi.waitFor(() => expect(commands.length).toBeGreaterThan(0));
    commands.length = 0;

    await cache.getMany('deal', ['1', '2', '3']);
    await redis.get(`${namespace}:marker-end`);
    await vi.waitFor(() => expect(commands.at(-1)?.[1]).toBe(`${namespace}:marker-end`));
    monitor.disconnect();

    const storeCommands = commands.slice(0, -1).map((args) => args[0].toLowerCase());
    expect(storeCommands).toEqual(['mget']);
    expect(commands[0]).toHaveLength(4);
  });

  it('lets Redis expire entries after the resource TTL', async () => {
    const cache = store.scoped('chat', 'xoxb', { default: 1 });
    await cache.setMany('message', [['m1', { text: 'hi' }]]);

    const pttl = await redis.pttl(`${namespace}:chat:${credentialScope('xoxb')}:message:m1`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1_000);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await cache.getMany('message', ['m1'])).toEqual([undefined]);
  });

  it('keeps two credentials apart and deletes every id given', async () => {
    const alice = store.scoped('crm', 'alice', TTLS);
    const bob = store.scoped('crm', 'bob', TTLS);
    await alice.setMany('company', [
      ['1', { id: '1' }],
      ['2', { id: '2' }],
    ]);

    expect(await bob.getMany('company', ['1'])).toEqual([undefined]);
    await alice.delete('company', ['1', '2']);
    expect(await alice.getMany('company', ['1', '2'])).toEqual([undefined, undefined]);
  });

  it('serves a second replica from what the first one fetched', async () => {
    const replica = createCacheStore({ redisUrl: REDIS_URL, maxEntries: 10, namespace });
    try {
      const { calls, fetch } = recordingFetch();
      await createCachedLoader<Contact>({
        cache: store.scoped('crm', 'shared', TTLS),
        resource: 'contact',
        maxBatchSize: 100,
        fetch,
      }).loadMany(['1', '2']);
      const fromReplica = await createCachedLoader<Contact>({
        cache: replica.scoped('crm', 'shared', TTLS),
        resource: 'contact',
        maxBatchSize: 100,
        fetch,
      }).loadMany(['1', '2']);

      expect(fromReplica).toEqual([
        { id: '1', email: '1@example.com' },
        { id: '2', email: '2@example.com' },
      ]);
      expect(calls).toEqual([['1', '2']]);
    } finally {
      await replica.close();
    }
  });
});
