/** Read helpers shared by the chat loaders and the process-level user directory. */
import { GatewayError, isGatewayError } from '../../errors.ts';
import type { ResourceCache } from '../../cache/types.ts';
import { raceAbort } from '../../upstream/abort.ts';
import type { Page } from './client.ts';

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** One call per id, at most `limit` at a time, each settled on its own (a failed id is that id's Error). */
export function settleLimit<V>(
  ids: readonly string[],
  limit: number,
  fetchOne: (id: string) => Promise<V | null>,
): Promise<Map<string, V | null | Error>> {
  return mapLimit(ids, limit, (id) =>
    fetchOne(id).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
  ).then((values) => new Map(ids.map((id, index) => [id, values[index]] as const)));
}

/** Turns Slack's NOT_FOUND into null; every other failure propagates. */
export async function orNull<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (error) {
    if (isGatewayError(error) && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

export async function readAll<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    all.push(...page.items);
    // A cursor that repeats would page forever; Slack never does this, a broken proxy might.
    if (page.nextCursor !== null && seen.has(page.nextCursor)) {
      throw new GatewayError('UPSTREAM_BAD_RESPONSE', 'Slack repeated a paging cursor', { service: 'chat' });
    }
    cursor = page.nextCursor ?? undefined;
    if (cursor) seen.add(cursor);
  } while (cursor);
  return all;
}

/**
 * Waits for shared work (the user directory's load) until `signal` aborts, then rejects the
 * way the upstream client does when a request's deadline passes; the work itself runs on.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return raceAbort(promise, signal, () => {
    const reason: unknown = signal?.reason;
    return isGatewayError(reason)
      ? new GatewayError(reason.code, reason.message, { service: 'chat', retryAfter: reason.retryAfter, cause: reason })
      : new GatewayError('UPSTREAM_TIMEOUT', 'Slack did not answer before the request deadline', { service: 'chat' });
  });
}

/** The cache never fails a load (same rule as createCachedLoader): errors read as misses. */
export async function cacheGet<T>(cache: ResourceCache, resource: string, ids: readonly string[]): Promise<(T | null | undefined)[]> {
  try {
    return await cache.getMany<T>(resource, ids);
  } catch {
    return ids.map(() => undefined);
  }
}

export async function cacheSet<T>(
  cache: ResourceCache,
  resource: string,
  entries: readonly (readonly [string, T | null])[],
): Promise<void> {
  try {
    await cache.setMany<T>(resource, entries);
  } catch {
    // A failed write costs a later upstream call, never this answer.
  }
}
