/** The CRM association loaders (v4 batch read, ≤ 1000 ids), and priming the links a record read returned inline. */
import { createCachedLoader, primeCache } from '../../cache/cached-loader.ts';
import { CRM_LIMITS } from './client.ts';
import { assertAsked, isObjectId, type AssociationLoader, type CrmReadContext } from './read-shared.ts';
import { CRM_RESOURCES } from './resources.ts';
import type { CrmAssociations, CrmObjectType } from './schemas.ts';

export interface AssociationLoaders {
  contactCompanies: AssociationLoader;
  companyContacts: AssociationLoader;
  contactDeals: AssociationLoader;
  dealContacts: AssociationLoader;
  dealCompanies: AssociationLoader;
  companyDeals: AssociationLoader;
}

export function createAssociationLoaders({ connector, cache }: CrmReadContext): AssociationLoaders & {
  primeInlineLinks: (
    type: CrmObjectType,
    inline: readonly CrmObjectType[],
    links: Iterable<readonly [string, Partial<Record<CrmObjectType, CrmAssociations>>]>,
    fetchedSince: number,
  ) => Promise<void>;
} {
  function associationLoader(resource: string, fromType: CrmObjectType, toType: CrmObjectType): AssociationLoader {
    return createCachedLoader<CrmAssociations>({
      cache,
      resource,
      maxBatchSize: CRM_LIMITS.associationBatchRead,
      fetch: async (ids) => {
        const valid = ids.filter(isObjectId);
        if (valid.length === 0) return new Map();
        const found = await connector.batchReadAssociations(fromType, toType, valid);
        assertAsked(valid, found.keys(), `${fromType}-to-${toType} association batch read`);
        // A record without links gets an empty list rather than null, so the cache holds
        // a real answer for it.
        return new Map(valid.map((id) => [id, found.get(id) ?? { ids: [], primaryId: null }]));
      },
    });
  }

  const contactCompanies = associationLoader(CRM_RESOURCES.contactCompanies, 'contacts', 'companies');
  const associationTargets: Partial<
    Record<CrmObjectType, Partial<Record<CrmObjectType, { resource: string; loader: AssociationLoader }>>>
  > = {
    contacts: { companies: { resource: CRM_RESOURCES.contactCompanies, loader: contactCompanies } },
  };

  /** Caches the links a read returned inline (asked for and absent: the record has none). */
  async function primeInlineLinks(
    type: CrmObjectType,
    inline: readonly CrmObjectType[],
    links: Iterable<readonly [string, Partial<Record<CrmObjectType, CrmAssociations>>]>,
    fetchedSince: number,
  ): Promise<void> {
    const entries = [...links];
    for (const toType of inline) {
      const target = associationTargets[type]?.[toType];
      if (!target) continue;
      await primeCache(
        { cache, resource: target.resource, loader: target.loader },
        entries.map(([id, byType]) => [id, byType[toType] ?? { ids: [], primaryId: null }] as const),
        fetchedSince,
      );
    }
  }

  return {
    contactCompanies,
    companyContacts: associationLoader(CRM_RESOURCES.companyContacts, 'companies', 'contacts'),
    contactDeals: associationLoader(CRM_RESOURCES.contactDeals, 'contacts', 'deals'),
    dealContacts: associationLoader(CRM_RESOURCES.dealContacts, 'deals', 'contacts'),
    dealCompanies: associationLoader(CRM_RESOURCES.dealCompanies, 'deals', 'companies'),
    companyDeals: associationLoader(CRM_RESOURCES.companyDeals, 'companies', 'deals'),
    primeInlineLinks,
  };
}
