/**
 * A DataLoader whose batch function reads through the cross-request cache.
 *
 * Contract of the batch function (DataLoader's, held here for every key):
 * - it resolves to an array exactly `keys.length` long, in key order;
 * - each slot is the record, `null` when the system of record has no such record (or no
 *   link), or an `Error` when that key could not be loaded;
 * - cached keys (records and cached nulls) are answered from one `getMany` and never
 *   reach `fetch`;
 * - `fetch` is called once per batch, with the distinct cache misses only (at most
 *   `maxBatchSize`, since DataLoader chunks batches to that size), and returns a Map; ids
 *   it leaves out are recorded as `null` — "the upstream does not have it". It is called
 *   once more, for the ids a write fenced meanwhile, only when its answer came from an
 *   upstream call begun before the batch (see fetchFresh);
 * - a batch settles per record: an `Error` in `fetch`'s Map is that id's failure alone
 *   (one id's bad answer is not its neighbours'), and is not cached;
 * - everything else `fetch` answered, nulls included, is written back with one `setMany`
 *   before the batch resolves, so the next request's read sees it;
 * - when `fetch` throws (one upstream answer for the whole batch failed), every key it was
 *   asked for gets that error and nothing is cached for them; keys answered from the cache
 *   still resolve;
 * - the cache never fails a load: a cache that throws on read is treated as all-miss,
 *   and one that throws on write is ignored.
 *
 * With `cacheKeyFn`, the normalized key is what DataLoader memoizes and what the
 * cross-request cache stores under, so `A@x.com` and `a@x.com` share one entry; `fetch`
 * receives the ids as callers passed them and may key its Map by either form.
 */
import DataLoader from 'dataloader';
import { type BatchCallers, inBatchSpan, linkCallers } from '../observability/batch-span.ts';
import { ATTR, type Span } from '../observability/spans.ts';
import { timeReads } from './reads-begun.ts';
import type { ResourceCache } from './types.ts';

export interface CachedLoaderOptions<V> {
  cache: ResourceCache;
  /** Resource name in cache keys and TTL config, e.g. 'contact'. */
  resource: string;
  /** The upstream's batch limit (HubSpot batch/read: 100; per-id endpoints: what the connector can fan out). */
  maxBatchSize: number;
  fetch: (ids: readonly string[]) => Promise<Map<string, V | null | Error>>;
  /** Normalizes ids for memoization and cache keys (e.g. lower-casing emails). */
  cacheKeyFn?: (id: string) => string;
}

/** Part of a fetch's answer: the ids it was asked, what it answered, and when the call that answered began. */
interface Fill<V> {
  ids: readonly string[];
  fetched: Map<string, V | null | Error>;
  since: number;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function createCachedLoader<V>(options: CachedLoaderOptions<V>): DataLoader<string, V | null> {
  const { cache, resource, fetch } = options;
  const normalize = options.cacheKeyFn ?? ((id: string) => id);

  async function readCache(cacheIds: readonly string[]): Promise<(V | null | undefined)[]> {
    try {
      return await cache.getMany<V>(resource, cacheIds);
    } catch {
      return cacheIds.map(() => undefined);
    }
  }

  /**
   * `fetch`'s answer, in parts each dated by when the upstream call that answered it began (a
   * record invalidated since is not cached). A call that joined one begun before this read may
   * lack a write acknowledged in between: the ids a write fenced since are asked again alone.
   */
  async function fetchFresh(ids: readonly string[], span: Span | undefined): Promise<Fill<V>[]> {
    const askedAt = Date.now();
    const first = await timeReads(() => fetch(ids));
    if (first.begunAt >= askedAt) return [{ ids, fetched: first.value, since: askedAt }];
    const cacheIds = ids.map(normalize);
    const fenced = new Set(await cache.fencedSince(resource, cacheIds, first.begunAt).catch(() => cacheIds));
    const again = ids.filter((id) => fenced.has(normalize(id)));
    if (span?.isRecording()) span.setAttributes({ [ATTR.joinedEarlierCall]: true, [ATTR.refetched]: again.length });
    if (again.length === 0) return [{ ids, fetched: first.value, since: first.begunAt }];
    const fresh = await timeReads(() => fetch(again), Number.POSITIVE_INFINITY);
    return [
      { ids: ids.filter((id) => !fenced.has(normalize(id))), fetched: first.value, since: first.begunAt },
      { ids: again, fetched: fresh.value, since: fresh.begunAt },
    ];
  }

  async function batch(ids: readonly string[]): Promise<(V | null | Error)[]> {
    const begunAt = Date.now();
    const cacheIds = ids.map(normalize);
    const cached = await readCache(cacheIds);
    const results: (V | null | Error | undefined)[] = [...cached];

    // DataLoader dedupes by cacheKeyFn already; this guards loaders built with `cache: false`.
    const missing = new Map<string, string>();
    ids.forEach((id, index) => {
      if (cached[index] === undefined && !missing.has(cacheIds[index])) missing.set(cacheIds[index], id);
    });
    if (missing.size === 0) return results as (V | null)[];
    // Only a batch that goes upstream gets a span (dated from when the batch began): on a warm path a
    // span per batch answered wholly by the cache was most of what tracing cost, and says nothing a
    // trace needs (the cost trace and the metrics count those hits).
    return inBatchSpan(
      cache.system,
      resource,
      ids.length,
      (span) => {
        if (span?.isRecording()) span.setAttributes({ [ATTR.cacheHits]: ids.length - missing.size, [ATTR.cacheMisses]: missing.size });
        return fill(cacheIds, results, missing, span);
      },
      { callers, startTime: begunAt },
    );
  }

  /** The cache misses fetched, stored and put in their places. */
  async function fill(
    cacheIds: readonly string[],
    results: (V | null | Error | undefined)[],
    missing: Map<string, string>,
    span: Span | undefined,
  ): Promise<(V | null | Error)[]> {
    let fills: Fill<V>[];
    try {
      fills = await fetchFresh([...missing.values()], span);
    } catch (error) {
      const failure = asError(error);
      return results.map((value) => (value === undefined ? failure : value));
    }

    const { entries, failures } = await writeBack(cache, resource, normalize, fills);
    const byCacheId = new Map(entries);
    return results.map((value, index) => {
      if (value !== undefined) return value;
      return failures.get(cacheIds[index]) ?? byCacheId.get(cacheIds[index]) ?? null;
    });
  }

  let callers: BatchCallers | undefined;
  const loader = new DataLoader<string, V | null, string>((ids) => batch(ids), {
    maxBatchSize: options.maxBatchSize,
    cacheKeyFn: normalize,
  });
  callers = linkCallers(loader);
  return loader;
}

/** What `fetch` answered, written back to the cache (errors aside, which are not cached). */
async function writeBack<V>(
  cache: ResourceCache,
  resource: string,
  normalize: (id: string) => string,
  fills: Fill<V>[],
): Promise<{ entries: [string, V | null][]; failures: Map<string, Error> }> {
  const entries: [string, V | null][] = [];
  const failures = new Map<string, Error>();
  for (const { ids: asked, fetched, since } of fills) {
    const stored: [string, V | null][] = [];
    for (const id of asked) {
      const cacheId = normalize(id);
      const value = fetched.get(id) ?? fetched.get(cacheId) ?? null;
      if (value instanceof Error) failures.set(cacheId, value);
      else stored.push([cacheId, value]);
    }
    entries.push(...stored);
    if (stored.length === 0) continue;
    try {
      await cache.setMany<V>(resource, stored, since);
    } catch {
      // A cache write failure costs a future upstream call, never this answer.
    }
  }
  return { entries, failures };
}

/**
 * One upstream call per id, each settled on its own: the Map `fetch` returns, with a failed
 * id's error as its value. `run` bounds concurrency (e.g. a per-request limiter).
 */
export async function settleEach<V>(
  ids: readonly string[],
  fetchOne: (id: string) => Promise<V | null>,
  run: (task: () => Promise<V | null>) => Promise<V | null> = (task) => task(),
): Promise<Map<string, V | null | Error>> {
  const settled = await Promise.allSettled(ids.map((id) => run(() => fetchOne(id))));
  return new Map(
    ids.map((id, index) => {
      const outcome = settled[index];
      return [id, outcome.status === 'fulfilled' ? outcome.value : asError(outcome.reason)] as const;
    }),
  );
}

export interface CacheTarget<V> {
  cache: ResourceCache;
  resource: string;
  /** This request's loader, if one exists, so it sees the same values at once. */
  loader?: DataLoader<string, V | null>;
  /** The loader's `cacheKeyFn`, so primed and forgotten entries land on the same cache keys. */
  cacheKeyFn?: (id: string) => string;
}

/**
 * Stores records that arrived some other way (a list or search page, a write's response)
 * in the cross-request cache and this request's loader, so linked fields do not load
 * them again. `fetchedSince` is when the read that returned them began: a record
 * invalidated since (a write landed while the page was in flight) is not cached, as a
 * loader's own read is not.
 */
export async function primeCache<V>(
  target: CacheTarget<V>,
  entries: readonly (readonly [id: string, value: V | null])[],
  fetchedSince?: number,
): Promise<void> {
  const normalize = target.cacheKeyFn ?? ((id: string) => id);
  for (const [id, value] of entries) target.loader?.clear(id).prime(id, value);
  try {
    await target.cache.setMany<V>(
      target.resource,
      entries.map(([id, value]) => [normalize(id), value] as const),
      fetchedSince,
    );
  } catch {
    // Priming is an optimization; the next load fetches instead.
  }
}

/**
 * Forgets records after a write or a webhook, in both the cross-request cache and this
 * request's loader. Unlike priming, a failure here is the caller's business (the cache
 * could serve a stale record), so it propagates.
 */
export async function invalidateCached<V>(target: CacheTarget<V>, ids: readonly string[]): Promise<void> {
  const normalize = target.cacheKeyFn ?? ((id: string) => id);
  for (const id of ids) target.loader?.clear(id);
  await target.cache.delete(target.resource, [...new Set(ids.map(normalize))]);
}
