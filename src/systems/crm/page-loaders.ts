/**
 * CRM list and search pages, cached as the ids they returned. Page entries are keyed by a
 * per-type list generation that `invalidateLists` replaces, so a write can retire every
 * cached page of a type at once without knowing their keys.
 */
import { createHash, randomUUID } from 'node:crypto';
import type DataLoader from 'dataloader';
import { primeCache } from '../../cache/cached-loader.ts';
import { timeReads } from '../../cache/reads-begun.ts';
import {
  LIST_ASSOCIATIONS,
  PAGE_RESOURCE,
  RECORD_RESOURCE,
  throwFirstError,
  type CrmReadContext,
  type PageEntry,
  type PageRequest,
  type RecordPage,
} from './read-shared.ts';
import type { createAssociationLoaders } from './association-loaders.ts';
import type { RecordParts } from './record-loaders.ts';
import { CRM_RESOURCES } from './resources.ts';
import type { CrmContact, CrmObject, CrmObjectType } from './schemas.ts';

export interface PageLoaders {
  /** One page of records; `onRecords` hears of them as soon as they are known, before they are cached. */
  loadPage<T extends CrmObjectType>(
    type: T,
    request: PageRequest,
    onRecords?: (records: readonly CrmObject<T>[]) => void,
  ): Promise<RecordPage<CrmObject<T>>>;
  invalidateLists(type: CrmObjectType): Promise<void>;
}

function pageKey(generation: string, request: PageRequest): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([request.limit, request.after ?? null, request.search ?? null]))
    .digest('hex');
  return `${generation}:${digest.slice(0, 32)}`;
}

export function createPageLoaders(
  { connector, cache }: CrmReadContext,
  { records: recordLoaders, primeEmailLinks }: Pick<RecordParts, 'records' | 'primeEmailLinks'>,
  { primeInlineLinks }: Pick<ReturnType<typeof createAssociationLoaders>, 'primeInlineLinks'>,
): PageLoaders {
  const generations = new Map<CrmObjectType, Promise<string>>();

  function listGeneration(type: CrmObjectType): Promise<string> {
    let generation = generations.get(type);
    if (!generation) {
      generation = (async () => {
        const [current] = await cache.getMany<string>(CRM_RESOURCES.listGeneration, [type]).catch(() => [undefined]);
        if (current) return current;
        // A fresh random generation, so an expired entry can never revive old pages.
        const created = randomUUID();
        await cache.setMany<string>(CRM_RESOURCES.listGeneration, [[type, created]]).catch(() => undefined);
        return created;
      })();
      generations.set(type, generation);
    }
    return generation;
  }

  /** One page of records; `onRecords` hears of them as soon as they are known, before they are cached. */
  async function loadPage<T extends CrmObjectType>(
    type: T,
    request: PageRequest,
    onRecords?: (records: readonly CrmObject<T>[]) => void,
  ): Promise<RecordPage<CrmObject<T>>> {
    const loader = recordLoaders[type] as DataLoader<string, CrmObject<T> | null>;
    const resource = PAGE_RESOURCE[type];
    const key = pageKey(await listGeneration(type), request);
    const [entry] = await cache.getMany<PageEntry>(resource, [key]).catch(() => [undefined]);
    if (entry) {
      const records = throwFirstError(await loader.loadMany(entry.ids));
      // A record deleted since the page was cached drops out rather than showing as null.
      const page = { records: records.filter((record): record is CrmObject<T> => record !== null), after: entry.after, total: entry.total };
      onRecords?.(page.records);
      return page;
    }

    const inline = LIST_ASSOCIATIONS[type];
    const { value: read, begunAt: fetchedSince } = await timeReads(async () => {
      if (request.search) {
        const found = await connector.searchObjects(type, { ...request.search, limit: request.limit, after: request.after });
        return { page: { records: found.records, after: found.after, total: found.total }, associations: undefined };
      }
      const listed = await connector.listObjects(type, { limit: request.limit, after: request.after, associations: inline });
      return { page: { records: listed.records, after: listed.after, total: null }, associations: listed.associations };
    });
    const page: RecordPage<CrmObject<T>> = read.page;
    onRecords?.(page.records);
    if (read.associations) await primeInlineLinks(type, inline, read.associations, fetchedSince);
    await primeCache(
      { cache, resource: RECORD_RESOURCE[type], loader },
      page.records.map((record) => [record.id, record] as const),
      fetchedSince,
    );
    if (type === 'contacts') await primeEmailLinks(page.records as CrmContact[], fetchedSince);
    await cache
      .setMany<PageEntry>(resource, [[key, { ids: page.records.map((record) => record.id), after: page.after, total: page.total }]])
      .catch(() => undefined);
    return page;
  }

  return {
    loadPage,
    async invalidateLists(type) {
      generations.delete(type);
      await cache.delete(CRM_RESOURCES.listGeneration, [type]);
    },
  };
}
