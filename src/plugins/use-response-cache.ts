/**
 * Whole-response cache in front of execution (Yoga's response-cache plugin): a repeated
 * query with the same variables, from a caller with the same scopes, is answered without
 * planning, delegating or reading a single record. The record caches below it stay the
 * source of truth; this layer only saves the work of assembling the same answer again.
 *
 * What keeps it correct:
 * - Keyed by document, variables and the caller's scopes (not identity): every field is
 *   scope-checked, so two callers with the same scopes are owed the same answer. A result
 *   with any error (FORBIDDEN, an unavailable system, …) is never stored.
 * - It lives no longer than the records it contains: each type's TTL is its record TTL
 *   (CACHE_TTL_*), list fields use their page TTL, and a TTL of 0 anywhere keeps the whole
 *   response out. The audit log is never cached (its writes are not on the change feed).
 * - Every change on the feed (webhook, catch-up, the gateway's own writes) evicts all
 *   responses holding a type of the changed system or a type linking to it (Contact links
 *   to billing, Owner to chat, …). Coarse on purpose: a change can move a record into a
 *   filtered list that no cached entity names. Mutations also evict the entities they return.
 * - Checked after authentication and rate limiting (both run on request parse), and never
 *   for unauthenticated requests or traced ones (a trace must show the real upstream work).
 *
 * One process holds one cache. Replicas sharing Redis see each other's changes through the
 * feed's fan-out, which arrives a moment after the write; so with REDIS_URL the cache is off
 * unless RESPONSE_CACHE=on accepts that window.
 */
import { createHash } from 'node:crypto';
import { type Cache, useResponseCache as useYogaResponseCache } from '@graphql-yoga/plugin-response-cache';
import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ChangeEvent } from '../changes/types.ts';
import type { SystemName } from '../errors.ts';
import { jsonSize } from '../cache/store.ts';
import { wantsTrace } from '../observability/trace.ts';
import type { ResponseCacheTypes } from '../systems/system.ts';
import { principalOf } from './use-auth.ts';

/** Seen on results served from the cache (set by the plugin). */
const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');
/** Seen on results taken from an identical execution in flight. */
const COALESCED = Symbol('coalesced');

export type ResponseCacheResult = 'hit' | 'miss' | 'coalesced';

/** What the response cache knows of one system (its module's `responseCache`). */
export interface ResponseCacheSystem {
  name: SystemName;
  responseCache: ResponseCacheTypes;
}

export interface ResponseCacheOptions {
  /** The registered systems: their GraphQL types and the resources whose TTLs bound them. */
  systems: readonly ResponseCacheSystem[];
  /** Other systems' types a change in each system can alter, as they link to it (src/links). */
  linkedTypes: Readonly<Partial<Record<SystemName, readonly string[]>>>;
  /** Record TTLs in seconds by resource, as config.cache.ttlSeconds. */
  ttlSeconds: Readonly<Record<string, number>>;
  /** Bound on the responses held, in bytes of their JSON (least recently used go first). */
  maxBytes: number;
  onResult?: (result: ResponseCacheResult) => void;
}

type Stored = { result: Parameters<Cache['set']>[1]; bytes: number; expires: number; types: readonly string[] };

/**
 * The plugin's store, bounded by size rather than count (one W4 page weighs as much as a
 * hundred single-contact answers) and indexed by type only: eviction here is by type
 * (see affectedTypes), so per-id bookkeeping for every entity of every answer would be
 * memory spent for nothing. A mutation's own per-id eviction widens to its type.
 */
export function createResponseStore(maxBytes: number): Cache & { readonly bytes: number; readonly size: number } {
  const entries = new Map<string, Stored>();
  const byType = new Map<string, Set<string>>();
  let bytes = 0;

  const remove = (id: string) => {
    const entry = entries.get(id);
    if (!entry) return;
    entries.delete(id);
    bytes -= entry.bytes;
    for (const type of entry.types) byType.get(type)?.delete(id);
  };

  return {
    get bytes() {
      return bytes;
    },
    get size() {
      return entries.size;
    },
    set(id, result, entities, ttl) {
      remove(id);
      const size = id.length + jsonSize(result);
      if (!(ttl > 0) || size > maxBytes) return;
      const types = [...new Set(Array.from(entities, (entity) => entity.typename))];
      entries.set(id, { result, bytes: size, expires: Date.now() + ttl, types });
      bytes += size;
      for (const type of types) {
        let ids = byType.get(type);
        if (!ids) byType.set(type, (ids = new Set()));
        ids.add(id);
      }
      for (const oldest of entries.keys()) {
        if (bytes <= maxBytes) break;
        remove(oldest);
      }
    },
    get(id) {
      const entry = entries.get(id);
      if (!entry) return null;
      remove(id);
      if (entry.expires <= Date.now()) return null;
      // Re-inserted: the Map's order is the recency order.
      entries.set(id, entry);
      bytes += entry.bytes;
      for (const type of entry.types) byType.get(type)?.add(id);
      return entry.result;
    },
    invalidate(entities) {
      for (const { typename } of entities) for (const id of [...(byType.get(typename) ?? [])]) remove(id);
    },
  };
}

export interface ResponseCache {
  plugin: Plugin;
  /** Evicts every response a change may have altered. */
  invalidate(event: Pick<ChangeEvent, 'system'>): void;
}

/** Beyond this many unsettled keys the bookkeeping starts over (in-flight answers are then just not stored). */
const MAX_PENDING_KEYS = 10_000;

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const store = createResponseStore(options.maxBytes);
  // An answer assembled from reads made before an eviction must not be stored after it: each
  // key remembers the eviction epoch its earliest unsettled execution began in, and an answer
  // is stored only if no eviction happened since (an unknown key is not stored either).
  let epoch = 0;
  const beganIn = new Map<string, number>();
  const cache: Cache = {
    get(id) {
      const hit = store.get(id);
      if (hit) beganIn.delete(id);
      return hit;
    },
    set(id, result, entities, ttl) {
      const began = beganIn.get(id);
      beganIn.delete(id);
      if (began === epoch) store.set(id, result, entities, ttl);
    },
    invalidate: (entities) => store.invalidate(entities),
  };
  const cacheKey = ({
    documentString,
    variableValues,
    operationName,
    sessionId,
  }: {
    documentString: string;
    variableValues?: unknown;
    operationName?: string | null;
    sessionId?: string | null;
  }) => {
    const key = createHash('sha256')
      .update(JSON.stringify([documentString, variableValues ?? null, operationName ?? null, sessionId ?? null]))
      .digest('base64url');
    if (beganIn.size >= MAX_PENDING_KEYS) beganIn.clear();
    if (!beganIn.has(key)) beganIn.set(key, epoch);
    return key;
  };
  const ms = (resource: string) => 1000 * (options.ttlSeconds[resource] ?? options.ttlSeconds.default ?? 60);
  const ttlPerSchemaCoordinate: Record<string, number> = {
    AuditRecord: 0,
    'Query.auditLog': 0,
    // Usage counts change with every operation, and no change-feed event says so.
    DeprecatedFieldUsage: 0,
    'Query.deprecatedFieldUsage': 0,
    // The integrations' health changes with every upstream call and every second.
    IntegrationHealth: 0,
    'Query.integrationHealth': 0,
  };
  for (const { responseCache } of options.systems)
    for (const [coordinate, resource] of Object.entries({ ...responseCache.types, ...responseCache.fields }))
      ttlPerSchemaCoordinate[coordinate] = ms(resource);
  const affected = affectedTypes(options);

  const responseCache = useYogaResponseCache({
    cache,
    buildResponseCacheKey: cacheKey,
    ttl: ms('default'),
    ttlPerSchemaCoordinate,
    // Sorted scopes: callers allowed the same fields share answers; none means no caching.
    session: (request) => {
      const principal = principalOf(request);
      return principal ? [...principal.scopes].sort().join(' ') : null;
    },
    enabled: (request) => principalOf(request) !== undefined && !wantsTrace(request),
  }) as Plugin;

  const counting: Plugin = {
    onResultProcess({ result }) {
      if (result && typeof result === 'object' && !Array.isArray(result) && !(Symbol.asyncIterator in result)) {
        options.onResult?.(SERVED_FROM_CACHE in result ? 'hit' : COALESCED in result ? 'coalesced' : 'miss');
      }
    },
  };

  return {
    // Coalescing goes first so the response cache wraps it: a hit never reaches it.
    plugin: { onPluginInit: ({ addPlugin }) => [coalescing(() => epoch), responseCache, counting].forEach(addPlugin) },
    invalidate(event) {
      epoch += 1;
      void store.invalidate((affected.get(event.system) ?? []).map((typename) => ({ typename })));
    },
  };
}

/** The types a change in each system can alter: its own, and those that link into it. */
function affectedTypes(options: ResponseCacheOptions): Map<SystemName, readonly string[]> {
  return new Map(
    options.systems.map(({ name, responseCache }) => [name, [...Object.keys(responseCache.types), ...(options.linkedTypes[name] ?? [])]]),
  );
}

interface InFlight {
  epoch: number;
  /** The leader's result, or null when followers must execute for themselves. */
  done: Promise<object | null>;
}

/**
 * Misses in flight coalesce: an identical query (same document, operation, variables and
 * scopes) that arrives while the first is still executing, with no change seen since that
 * one began, takes its answer instead of executing again — a burst of the same miss (a
 * dashboard many users reload right after a webhook evicted it) executes once. A follower
 * executes for itself when the leader's answer cannot be shared: its execution threw, it
 * streams, or its client went away mid-way (its upstream calls were cut). An answer with
 * field errors is shared: the follower asked at the same moment. Mutations, traced
 * requests and unauthenticated ones never coalesce.
 */
function coalescing(currentEpoch: () => number): Plugin {
  const inFlight = new Map<string, InFlight>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request }).request;
      const principal = request && principalOf(request);
      if (!request || !principal || wantsTrace(request) || getOperationAST(args.document, args.operationName)?.operation !== 'query')
        return;
      let documentId = documentIds.get(args.document);
      if (documentId === undefined) documentIds.set(args.document, (documentId = nextDocumentId++));
      const key = JSON.stringify([documentId, args.operationName ?? null, args.variableValues ?? null, [...principal.scopes].sort()]);
      const signal = (args.contextValue as { signal?: AbortSignal }).signal;

      setExecuteFn((execArgs) => {
        const leader = inFlight.get(key);
        if (leader && leader.epoch === currentEpoch()) {
          return leader.done.then((shared) => (shared ? { ...shared, [COALESCED]: true } : executeFn(execArgs)));
        }
        const run = (async () => executeFn(execArgs))();
        const entry: InFlight = {
          epoch: currentEpoch(),
          done: run.then(
            (result) => (result && typeof result === 'object' && !(Symbol.asyncIterator in result) && !signal?.aborted ? result : null),
            () => null,
          ),
        };
        inFlight.set(key, entry);
        void entry.done.then(() => {
          if (inFlight.get(key) === entry) inFlight.delete(key);
        });
        return run as ReturnType<typeof executeFn>;
      });
    },
  };
}
