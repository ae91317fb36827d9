/**
 * Per-request loaders over HubSpot, read-through cached across requests.
 *
 * Batching maps onto HubSpot's batch endpoints: objects by id and contacts by email go to
 * `batch/read` (≤ 100 per request, so `maxBatchSize: 100`) — except a contact read alone,
 * which takes the single GET so its company links come inline — associations to the v4
 * association batch read (≤ 1000). Owners have no batch endpoint, but there are few of
 * them: the whole directory is one or two `GET /crm/v3/owners` pages, cached, and every
 * owner lookup (by id or by email) is answered from it.
 *
 * The cache is normalized: each record lives under its own id (`contact:512`); link
 * lookups cache only ids (`contactByEmail:a@x.io → 512`, `contactCompanies:512 → {ids}`),
 * and list/search pages cache the ids they returned. A record changed later is therefore
 * invalidated in one place, and a warm repeat of a page is answered entirely from the
 * cache. Negative answers (no such record, no links) are cached as null.
 *
 * Page entries are keyed by a per-type list generation that `invalidateLists` replaces,
 * so a write can retire every cached page of a type at once without knowing their keys.
 */
import type DataLoader from 'dataloader';
import { invalidateCached } from '../../cache/cached-loader.ts';
import type { ResourceCache } from '../../cache/types.ts';
import { createAssociationLoaders, type AssociationLoaders } from './association-loaders.ts';
import type { CrmConnector } from './client.ts';
import { createOwnerLoaders } from './owner-loaders.ts';
import { createPageLoaders } from './page-loaders.ts';
import { RECORD_RESOURCE, type AssociationLoader, type PageRequest, type RecordPage } from './read-shared.ts';
import { createRecordLoaders } from './record-loaders.ts';
import type { CrmCompany, CrmContact, CrmDeal, CrmObjectType, CrmOwner } from './schemas.ts';

export { CRM_RESOURCES } from './resources.ts';
export type { AssociationLoader, PageRequest, RecordPage };

export interface CrmLoaders extends AssociationLoaders {
  contacts: DataLoader<string, CrmContact | null>;
  companies: DataLoader<string, CrmCompany | null>;
  deals: DataLoader<string, CrmDeal | null>;
  /** Lowercased email → contact id (HubSpot batch read with `idProperty=email`). */
  contactIdsByEmail: DataLoader<string, string | null>;
  owners: DataLoader<string, CrmOwner | null>;
  /** The contact with this email (case-insensitive), or null. */
  contactByEmail(email: string): Promise<CrmContact | null>;
  /** Every active owner, in HubSpot's order. */
  ownerDirectory(): Promise<CrmOwner[]>;
  /** The owner with this email (case-insensitive), or null. */
  ownerByEmail(email: string): Promise<CrmOwner | null>;
  contactPage(request: PageRequest): Promise<RecordPage<CrmContact>>;
  companyPage(request: PageRequest): Promise<RecordPage<CrmCompany>>;
  dealPage(request: PageRequest): Promise<RecordPage<CrmDeal>>;
  /** Retires every cached list/search page of a type (after a create, update or delete). */
  invalidateLists(type: CrmObjectType): Promise<void>;
  /** Forgets records in this request and across requests. */
  invalidateRecords(type: CrmObjectType, ids: readonly string[]): Promise<void>;
}

export interface CreateCrmLoadersOptions {
  connector: CrmConnector;
  cache: ResourceCache;
  /** Overrides the connector's `x-request-id` for this request's calls. */
  requestId?: string;
  /** Told of each contact page as soon as its records are known (cross-system look-ahead). */
  onContactPage?: (contacts: readonly CrmContact[]) => void;
}

export function createCrmLoaders({ connector: base, cache, requestId, onContactPage }: CreateCrmLoadersOptions): CrmLoaders {
  const read = { connector: requestId ? base.withRequestId(requestId) : base, cache };
  const associations = createAssociationLoaders(read);
  const { records, contactIdsByEmail, contactByEmail, primeEmailLinks } = createRecordLoaders(read, associations);
  const { owners, ownerDirectory, ownerByEmail } = createOwnerLoaders(read);
  const { loadPage, invalidateLists } = createPageLoaders(read, { records, primeEmailLinks }, associations);
  const { primeInlineLinks: _, ...associationLoaders } = associations;
  return {
    ...records,
    contactIdsByEmail,
    owners,
    ...associationLoaders,
    contactByEmail,
    ownerDirectory,
    ownerByEmail,
    contactPage: (request) => loadPage('contacts', request, onContactPage),
    companyPage: (request) => loadPage('companies', request),
    dealPage: (request) => loadPage('deals', request),
    invalidateLists,
    async invalidateRecords(type, ids) {
      await invalidateCached({ cache, resource: RECORD_RESOURCE[type], loader: records[type] as DataLoader<string, unknown> }, ids);
    },
  };
}
