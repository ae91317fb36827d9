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
import { createHash, randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { createCachedLoader, invalidateCached, primeCache, settleEach } from '../../cache/cached-loader.ts';
import type { ResourceCache } from '../../cache/types.ts';
import { GatewayError } from '../../errors.ts';
import { CRM_LIMITS, type CrmConnector, type SearchRequest } from './client.ts';
import { normalizeEmail } from '../../links/email.ts';
import { CRM_RESOURCES } from './resources.ts';

export { CRM_RESOURCES } from './resources.ts';
import type { CrmAssociations, CrmCompany, CrmContact, CrmDeal, CrmObject, CrmObjectType, CrmOwner } from './schemas.ts';

const RECORD_RESOURCE = { contacts: CRM_RESOURCES.contact, companies: CRM_RESOURCES.company, deals: CRM_RESOURCES.deal } as const;
const PAGE_RESOURCE = { contacts: CRM_RESOURCES.contactPage, companies: CRM_RESOURCES.companyPage, deals: CRM_RESOURCES.dealPage } as const;

/** Inline associations a plain list asks for, so linked fields need no association call. */
const LIST_ASSOCIATIONS: Record<CrmObjectType, readonly CrmObjectType[]> = { contacts: ['companies'], companies: [], deals: [] };

/** HubSpot object ids are numeric strings; anything else cannot exist and costs no call. */
const isObjectId = (id: string) => /^\d{1,20}$/.test(id);
/** One page as HubSpot served it. `after` is the token that continues after the page. */
export interface PageRequest {
  limit: number;
  /** The vendor token to start after (list: HubSpot's opaque `after`; search: an offset). */
  after?: string;
  /** Absent: the plain list endpoint. Present: the search endpoint. */
  search?: Omit<SearchRequest, 'limit' | 'after'>;
}

export interface RecordPage<T> {
  records: T[];
  after: string | null;
  /** Search's `total`; null for the plain list, which has none. */
  total: number | null;
}

interface PageEntry {
  ids: string[];
  after: string | null;
  total: number | null;
}

export type AssociationLoader = DataLoader<string, CrmAssociations | null>;

export interface CrmLoaders {
  contacts: DataLoader<string, CrmContact | null>;
  companies: DataLoader<string, CrmCompany | null>;
  deals: DataLoader<string, CrmDeal | null>;
  /** Lowercased email → contact id (HubSpot batch read with `idProperty=email`). */
  contactIdsByEmail: DataLoader<string, string | null>;
  owners: DataLoader<string, CrmOwner | null>;
  contactCompanies: AssociationLoader;
  companyContacts: AssociationLoader;
  contactDeals: AssociationLoader;
  dealContacts: AssociationLoader;
  dealCompanies: AssociationLoader;
  companyDeals: AssociationLoader;
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

function throwFirstError<T>(values: readonly (T | Error)[]): T[] {
  const failure = values.find((value): value is Error => value instanceof Error);
  if (failure) throw failure;
  return values as T[];
}

/**
 * An association batch read answers only about the ids it was sent, and leaves out those
 * without links, which reads as "no links". An answer about an id that was not asked for is
 * not that answer (a record id that came back mangled): taken at its word, the asked record's
 * links would read as none — a silent null. (Record reads are not checked: HubSpot answers a
 * merged contact's old id with the surviving record, under its own id.)
 */
function assertAsked(asked: readonly string[], answered: Iterable<string>, what: string): void {
  const wanted = new Set(asked);
  for (const id of answered) {
    if (wanted.has(id)) continue;
    throw new GatewayError('UPSTREAM_BAD_RESPONSE', `HubSpot CRM answered a ${what} about a record it was not asked for`, {
      service: 'crm',
    });
  }
}

function pageKey(generation: string, request: PageRequest): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([request.limit, request.after ?? null, request.search ?? null]))
    .digest('hex');
  return `${generation}:${digest.slice(0, 32)}`;
}

export function createCrmLoaders({ connector: base, cache, requestId, onContactPage }: CreateCrmLoadersOptions): CrmLoaders {
  const connector = requestId ? base.withRequestId(requestId) : base;

  // --- records by id ------------------------------------------------------------------
  function objectLoader<T extends CrmObjectType>(type: T): DataLoader<string, CrmObject<T> | null> {
    return createCachedLoader<CrmObject<T>>({
      cache,
      resource: RECORD_RESOURCE[type],
      maxBatchSize: CRM_LIMITS.batchRead,
      fetch: async (ids) => {
        const valid = ids.filter(isObjectId);
        const inline = LIST_ASSOCIATIONS[type];
        if (valid.length === 1 && inline.length > 0) {
          // A record read alone (a detail view) comes with its links inline, saving the
          // association call its link fields would make next; a batch read cannot inline them.
          const found = await connector.getObject(type, valid[0], { associations: inline });
          if (!found) return new Map();
          await primeInlineLinks(type, inline, [[found.record.id, found.associations]]);
          if (type === 'contacts') await primeEmailLinks([found.record as CrmContact]);
          return new Map([[found.record.id, found.record]]);
        }
        const records = await connector.batchReadObjects(type, valid);
        if (type === 'contacts') await primeEmailLinks(records as CrmContact[]);
        return new Map(records.map((record) => [record.id, record]));
      },
    });
  }

  const contacts = objectLoader('contacts');
  const companies = objectLoader('companies');
  const deals = objectLoader('deals');
  const recordLoaders = { contacts, companies, deals } as { [T in CrmObjectType]: DataLoader<string, CrmObject<T> | null> };

  const contactIdsByEmail = createCachedLoader<string>({
    cache,
    resource: CRM_RESOURCES.contactByEmail,
    maxBatchSize: CRM_LIMITS.batchRead,
    cacheKeyFn: normalizeEmail,
    fetch: async (emails) => {
      const valid = emails.filter((email) => /^[^\s@]+@[^\s@]+$/.test(email.trim()));
      const records = await connector.batchReadObjects(
        'contacts',
        valid.map((email) => email.trim()),
        { idProperty: 'email' },
      );
      await primeCache(
        { cache, resource: CRM_RESOURCES.contact, loader: contacts },
        records.map((record) => [record.id, record] as const),
      );
      const found = new Map<string, string>();
      for (const record of records) if (record.properties.email) found.set(normalizeEmail(record.properties.email), record.id);
      return found;
    },
  });

  async function primeEmailLinks(records: readonly CrmContact[]): Promise<void> {
    const entries = records.filter((record) => record.properties.email).map((record) => [record.properties.email!, record.id] as const);
    await primeCache({ cache, resource: CRM_RESOURCES.contactByEmail, loader: contactIdsByEmail, cacheKeyFn: normalizeEmail }, entries);
  }

  async function contactByEmail(email: string): Promise<CrmContact | null> {
    const key = normalizeEmail(email);
    for (let attempt = 0; attempt < 2; attempt++) {
      const id = await contactIdsByEmail.load(key);
      if (id === null) return null;
      const contact = await contacts.load(id);
      // The link is only an index: if the contact's email changed (or it was deleted) since
      // the link was cached, drop the link and ask HubSpot once more.
      if (contact && normalizeEmail(contact.properties.email ?? '') === key) return contact;
      await invalidateCached({ cache, resource: CRM_RESOURCES.contactByEmail, loader: contactIdsByEmail, cacheKeyFn: normalizeEmail }, [
        key,
      ]);
    }
    return null;
  }

  // --- associations -------------------------------------------------------------------
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
  ): Promise<void> {
    const entries = [...links];
    for (const toType of inline) {
      const target = associationTargets[type]?.[toType];
      if (!target) continue;
      await primeCache(
        { cache, resource: target.resource, loader: target.loader },
        entries.map(([id, byType]) => [id, byType[toType] ?? { ids: [], primaryId: null }] as const),
      );
    }
  }

  // --- owners -------------------------------------------------------------------------
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

  // --- list and search pages ----------------------------------------------------------
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

    let page: RecordPage<CrmObject<T>>;
    if (request.search) {
      const found = await connector.searchObjects(type, { ...request.search, limit: request.limit, after: request.after });
      page = { records: found.records, after: found.after, total: found.total };
      onRecords?.(page.records);
    } else {
      const inline = LIST_ASSOCIATIONS[type];
      const listed = await connector.listObjects(type, { limit: request.limit, after: request.after, associations: inline });
      page = { records: listed.records, after: listed.after, total: null };
      onRecords?.(page.records);
      await primeInlineLinks(type, inline, listed.associations);
    }
    await primeCache(
      { cache, resource: RECORD_RESOURCE[type], loader },
      page.records.map((record) => [record.id, record] as const),
    );
    if (type === 'contacts') await primeEmailLinks(page.records as CrmContact[]);
    await cache
      .setMany<PageEntry>(resource, [[key, { ids: page.records.map((record) => record.id), after: page.after, total: page.total }]])
      .catch(() => undefined);
    return page;
  }

  return {
    contacts,
    companies,
    deals,
    contactIdsByEmail,
    owners,
    contactCompanies,
    companyContacts: associationLoader(CRM_RESOURCES.companyContacts, 'companies', 'contacts'),
    contactDeals: associationLoader(CRM_RESOURCES.contactDeals, 'contacts', 'deals'),
    dealContacts: associationLoader(CRM_RESOURCES.dealContacts, 'deals', 'contacts'),
    dealCompanies: associationLoader(CRM_RESOURCES.dealCompanies, 'deals', 'companies'),
    companyDeals: associationLoader(CRM_RESOURCES.companyDeals, 'companies', 'deals'),
    contactByEmail,
    ownerDirectory,
    ownerByEmail,
    contactPage: (request) => loadPage('contacts', request, onContactPage),
    companyPage: (request) => loadPage('companies', request),
    dealPage: (request) => loadPage('deals', request),
    async invalidateLists(type) {
      generations.delete(type);
      await cache.delete(CRM_RESOURCES.listGeneration, [type]);
    },
    async invalidateRecords(type, ids) {
      await invalidateCached({ cache, resource: RECORD_RESOURCE[type], loader: recordLoaders[type] as DataLoader<string, unknown> }, ids);
    },
  };
}
