/**
 * The CRM owners: no batch endpoint, but few of them — the whole directory is one or two
 * `GET /crm/v3/owners` pages, cached, and every owner lookup (by id or by email) is answered from it.
 */
import type DataLoader from 'dataloader';
import { createCachedLoader, primeCache, settleEach } from '../../cache/cached-loader.ts';
import { normalizeEmail } from '../../links/email.ts';
import { CRM_LIMITS } from './client.ts';
import { isObjectId, type CrmReadContext } from './read-shared.ts';
import { CRM_RESOURCES } from './resources.ts';
import type { CrmOwner } from './schemas.ts';

export interface OwnerLoaders {
  owners: DataLoader<string, CrmOwner | null>;
  ownerDirectory(): Promise<CrmOwner[]>;
  ownerByEmail(email: string): Promise<CrmOwner | null>;
}

export function createOwnerLoaders({ connector, cache }: CrmReadContext): OwnerLoaders {
  let directoryFetch: Promise<CrmOwner[]> | undefined;
  let directoryRead: Promise<CrmOwner[]> | undefined;

  /** Every page of the owners list from HubSpot, once per request; caches each owner. */
  function fetchDirectory(): Promise<CrmOwner[]> {
    directoryFetch ??= (async () => {
      const all: CrmOwner[] = [];
      let after: string | undefined;
      do {
        const page = await connector.listOwners({ limit: CRM_LIMITS.ownersPage, after });
        all.push(...page.owners);
        after = page.after ?? undefined;
      } while (after);
      await primeCache(
        { cache, resource: CRM_RESOURCES.owner, loader: owners },
        all.map((owner) => [owner.id, owner] as const),
      );
      await cache.setMany<string[]>(CRM_RESOURCES.ownerDirectory, [['all', all.map((owner) => owner.id)]]).catch(() => undefined);
      return all;
    })();
    // A failed fetch must not stick for the rest of the request's retries.
    directoryFetch.catch(() => {
      directoryFetch = undefined;
    });
    return directoryFetch;
  }

  function ownerDirectory(): Promise<CrmOwner[]> {
    if (directoryFetch) return directoryFetch;
    directoryRead ??= (async () => {
      const [ids] = await cache.getMany<string[]>(CRM_RESOURCES.ownerDirectory, ['all']).catch(() => [undefined]);
      if (ids) {
        const records = await cache.getMany<CrmOwner>(CRM_RESOURCES.owner, ids).catch(() => ids.map(() => undefined));
        if (records.every((record) => record)) {
          const list = records as CrmOwner[];
          for (const owner of list) owners.prime(owner.id, owner);
          return list;
        }
      }
      return fetchDirectory();
    })();
    directoryRead.catch(() => {
      directoryRead = undefined;
    });
    return directoryRead;
  }

  const owners: DataLoader<string, CrmOwner | null> = createCachedLoader<CrmOwner>({
    cache,
    resource: CRM_RESOURCES.owner,
    // Answered from the directory; the bound only limits the per-id fallback below.
    maxBatchSize: 1000,
    fetch: async (ids) => {
      const byId = new Map((await fetchDirectory()).map((owner) => [owner.id, owner] as const));
      const found = new Map<string, CrmOwner | null | Error>();
      // Deactivated owners are not in the (active) directory, but records may still point
      // at them; HubSpot serves them one by one with archived=true, each settled on its own.
      const strays = ids.filter((id) => !byId.has(id) && isObjectId(id));
      for (let i = 0; i < strays.length; i += 10) {
        const fetched = await settleEach(strays.slice(i, i + 10), (id) => connector.getOwner(id, { archived: true }));
        for (const [id, owner] of fetched) found.set(id, owner);
      }
      for (const id of ids) if (byId.has(id)) found.set(id, byId.get(id)!);
      return found;
    },
  });

  async function ownerByEmail(email: string): Promise<CrmOwner | null> {
    const key = normalizeEmail(email);
    if (!key) return null;
    const directory = await ownerDirectory();
    return directory.find((owner) => owner.email !== null && normalizeEmail(owner.email) === key) ?? null;
  }

  return { owners, ownerDirectory, ownerByEmail };
}
