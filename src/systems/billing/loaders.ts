/**
 * Per-request loaders for Stripe data, each a DataLoader reading through the
 * cross-request cache (`createCachedLoader`). Created once per GraphQL request.
 *
 * How each read maps onto Stripe, and why:
 *
 * - Records by id (customer, invoice, subscription, charge): Stripe has no multi-id GET,
 *   and search cannot filter on `id`, so a batch fans out one GET per distinct uncached id,
 *   at most PER_ID_CONCURRENCY at a time. Dedupe (DataLoader) and the cache in front make
 *   this the cheapest correct option; most records arrive primed by a search or list page
 *   anyway, so a per-id GET is the exception.
 * - Customers of a CRM contact (`customerIdsByContactMetadata`): customer search,
 *   `metadata["hubspot_contact_id"]:"<id>"` OR-ed ten to a request (Stripe's clause limit).
 * - Customers with an email (`customerIdsByEmail`): customer search, `email:"…"` OR-ed ten
 *   to a request; Stripe's `:` is case-insensitive, and results are filtered again here.
 * - A contact's billing customer (`customerIdByContact`) applies the link rule on top of
 *   the two above; see `resolveContactLinks`. `customerForContact` settles a contact the
 *   metadata links without waiting for the email fallback of the rest of its batch.
 * - Invoices and charges of customers: invoice/charge search, `customer:"cus_…"` OR-ed ten
 *   to a request, every page, all statuses — so any status filter is served from one fetch.
 * - Subscriptions of a customer: subscription search cannot filter on `customer`, so one
 *   `GET /v1/subscriptions?customer=…&status=all` per customer (all pages).
 *
 * Normalization: every record is cached once under its own id (resource `customer`,
 * `invoice`, …); link lookups cache only ids (`customerByContact` → customer id or null,
 * `customerInvoiceIds` → invoice ids), so a changed record is invalidated in one place.
 * Empty answers are cached too (null, or an empty id list), so a warm repeat costs no
 * upstream request at all.
 *
 * Search lags writes; the links it finds are cached for the link TTL, and the write path
 * invalidates the affected keys so a caller reads its own write.
 */
import DataLoader from 'dataloader';
import { createCachedLoader, primeCache, settleEach } from '../../cache/cached-loader.ts';
import type { ResourceCache } from '../../cache/types.ts';
import {
  listAll,
  searchAll,
  type BillingConnector,
  type ListChargesParams,
  type ListCustomersParams,
  type ListInvoicesParams,
  type ListSubscriptionsParams,
  type SearchParams,
} from './client.ts';
import type { StripeCharge, StripeCustomer, StripeInvoice, StripeList, StripeSearchResult, StripeSubscription } from './schemas.ts';
import { anyOf, chunk, fieldClause, MAX_SEARCH_CLAUSES, metadataClause } from './wire.ts';

/** The Stripe metadata key that names a customer's HubSpot contact (DESIGN.md, linking). */
export const HUBSPOT_CONTACT_METADATA_KEY = 'hubspot_contact_id';

/**
 * Cache resource names; TTLs come from `DEFAULT_CACHE_TTL_SECONDS` (those missing there
 * use `default`) and are overridable with CACHE_TTL_<RESOURCE>.
 */
export const BILLING_CACHE_RESOURCES = {
  customer: 'customer',
  invoice: 'invoice',
  subscription: 'subscription',
  charge: 'charge',
  customerByContact: 'customerByContact',
  customerIdsByContactMetadata: 'contactCustomerIds',
  customerIdsByEmail: 'emailCustomerIds',
  invoiceIdsByCustomer: 'customerInvoiceIds',
  subscriptionIdsByCustomer: 'customerSubscriptionIds',
  chargeIdsByCustomer: 'customerChargeIds',
} as const;

/**
 * Ids a customer's search-backed list must include although Stripe's search may not show
 * them yet: written through the gateway or announced by a webhook within the last minutes.
 */
export function recentResource(listResource: string): string {
  return `${listResource}Recent`;
}

/** Ids per fan-out batch for endpoints that take one id per request. */
const PER_ID_BATCH = 10;
/** Concurrent one-id requests per GraphQL request: well under Stripe's 25 req/s test-mode limit. */
const PER_ID_CONCURRENCY = 8;
/**
 * A whole page of contacts (first ≤ 100) in one link batch, so the email fallback for the
 * contacts metadata did not resolve is gathered across the page into as few searches as
 * possible (ten emails each) instead of one per metadata chunk.
 */
const CONTACT_LINK_BATCH = 100;

/** A customer's search-backed lists that can be started ahead of the resolvers asking for them. */
export type CustomerList = 'invoices' | 'subscriptions';

/** The fields of a CRM contact the link rule needs. */
export interface ContactKey {
  id: string;
  email?: string | null;
}

export interface BillingLoadersOptions {
  connector: BillingConnector;
  cache: ResourceCache;
  /** Tags every upstream request of this GraphQL request with `x-request-id`. */
  requestId?: string;
}

export interface BillingLoaders {
  customer: DataLoader<string, StripeCustomer | null>;
  invoice: DataLoader<string, StripeInvoice | null>;
  subscription: DataLoader<string, StripeSubscription | null>;
  charge: DataLoader<string, StripeCharge | null>;
  /** Contact id → ids of customers whose `metadata.hubspot_contact_id` is that id, newest first. */
  customerIdsByContactMetadata: DataLoader<string, string[] | null>;
  /** Email (any case) → ids of customers with that email, compared case-insensitively, newest first. */
  customerIdsByEmail: DataLoader<string, string[] | null>;
  /** `contactLinkKey(contact)` → the contact's billing customer id under the link rule, or null. */
  customerIdByContact: DataLoader<string, string | null>;
  /** Customer id → its invoice ids (all statuses), newest first. */
  invoiceIdsByCustomer: DataLoader<string, string[] | null>;
  /** Customer id → its subscription ids (all statuses, canceled included), newest first. */
  subscriptionIdsByCustomer: DataLoader<string, string[] | null>;
  /** Customer id → its charge ids, newest first. */
  chargeIdsByCustomer: DataLoader<string, string[] | null>;

  /** The contact's billing customer under the link rule, or null. */
  customerForContact(contact: ContactKey): Promise<StripeCustomer | null>;
  /**
   * Starts what a contact's customer link is decided by first — the cached link, else the
   * metadata search, which need only the contact's id — and, once those have answered for
   * all of `contactIds`, the `lists` of the customers they name, together, so one search
   * serves ten customers. Contacts the link rests on the email fallback for are left to
   * `customerForContact`. Failures are left to the loads that need them to report.
   */
  startCustomerLinks(contactIds: readonly string[], lists: readonly CustomerList[]): void;
  /** Customers linked by metadata to any of these contacts, newest first, without duplicates. */
  customersOfContacts(contactIds: readonly string[]): Promise<StripeCustomer[]>;
  invoicesOfCustomer(customerId: string): Promise<StripeInvoice[]>;
  subscriptionsOfCustomer(customerId: string): Promise<StripeSubscription[]>;
  chargesOfCustomer(customerId: string): Promise<StripeCharge[]>;

  /** One list page each; the records are primed into the cache and the by-id loaders. */
  customersPage(params: ListCustomersParams): Promise<StripeList<StripeCustomer>>;
  invoicesPage(params: ListInvoicesParams): Promise<StripeList<StripeInvoice>>;
  subscriptionsPage(params: ListSubscriptionsParams): Promise<StripeList<StripeSubscription>>;
  chargesPage(params: ListChargesParams): Promise<StripeList<StripeCharge>>;
}

/** The key of `customerIdByContact`: the contact id plus the email the fallback needs. */
export function contactLinkKey(contact: ContactKey): string {
  return JSON.stringify([contact.id, contact.email ?? null]);
}

function parseContactLinkKey(key: string): { id: string; email: string | null } {
  const [id, email] = JSON.parse(key) as [string, string | null];
  return { id, email };
}

/** Cached under the contact id alone: the link belongs to the contact, and is invalidated by it. */
const contactIdOfLinkKey = (key: string) => parseContactLinkKey(key).id;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

interface Created {
  id: string;
  created: number;
}

/** Stripe lists newest first; the same order here makes results stable whatever path loaded them. */
function newestFirst<T extends Created>(records: T[]): T[] {
  return records.sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

function groupIds<T extends Created>(records: readonly T[], keyOf: (record: T) => string | null | undefined): Map<string, string[]> {
  const groups = new Map<string, T[]>();
  for (const record of records) {
    const key = keyOf(record);
    if (!key) continue;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return new Map([...groups].map(([key, group]) => [key, newestFirst(group).map((r) => r.id)]));
}

/** Limits concurrent upstream calls; per request, so one caller's fan-out cannot starve others. */
function createLimiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function limit<T>(task: () => Promise<T>): Promise<T> {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** DataLoader's loadMany with its per-key Errors turned into one rejection. */
async function loadAll<V>(loader: DataLoader<string, V | null>, keys: readonly string[]): Promise<(V | null)[]> {
  const results = await loader.loadMany(keys);
  const failure = results.find((result): result is Error => result instanceof Error);
  if (failure) throw failure;
  return results as (V | null)[];
}

async function loadRecords<V>(loader: DataLoader<string, V | null>, ids: readonly string[]): Promise<V[]> {
  return (await loadAll(loader, ids)).filter((record): record is V => record !== null);
}

export function createBillingLoaders({ connector, cache, requestId }: BillingLoadersOptions): BillingLoaders {
  const api = requestId ? connector.withRequestId(requestId) : connector;
  const limit = createLimiter(PER_ID_CONCURRENCY);
  const R = BILLING_CACHE_RESOURCES;

  /**
   * One GET per id, each settled on its own: an id Stripe answered badly (or not at all) is
   * that record's error, and its neighbours in the batch still resolve and are cached.
   */
  const perId =
    <V>(retrieve: (id: string) => Promise<V | null>) =>
    (ids: readonly string[]) =>
      settleEach(ids, retrieve, limit);

  const customer = createCachedLoader<StripeCustomer>({
    cache,
    resource: R.customer,
    maxBatchSize: PER_ID_BATCH,
    fetch: perId(api.retrieveCustomer),
  });
  const invoice = createCachedLoader<StripeInvoice>({
    cache,
    resource: R.invoice,
    maxBatchSize: PER_ID_BATCH,
    fetch: perId(api.retrieveInvoice),
  });
  const subscription = createCachedLoader<StripeSubscription>({
    cache,
    resource: R.subscription,
    maxBatchSize: PER_ID_BATCH,
    fetch: perId(api.retrieveSubscription),
  });
  const charge = createCachedLoader<StripeCharge>({
    cache,
    resource: R.charge,
    maxBatchSize: PER_ID_BATCH,
    fetch: perId(api.retrieveCharge),
  });

  const prime = <V extends { id: string }>(resource: string, loader: DataLoader<string, V | null>, records: readonly V[]) =>
    primeCache(
      { cache, resource, loader },
      records.map((record) => [record.id, record] as const),
    );

  /** Every customer matching any of the clauses, primed as records. */
  async function searchCustomers(clauses: string[]): Promise<StripeCustomer[]> {
    const found = await searchAll((page) => api.searchCustomers(anyOf(clauses), page));
    await prime(R.customer, customer, found);
    return found;
  }

  // A page's contacts in one batch, searched ten clauses at a time in parallel: every link
  // settles in the same tick, so what hangs off the customers (invoices) is asked together.
  const customerIdsByContactMetadata = createCachedLoader<string[]>({
    cache,
    resource: R.customerIdsByContactMetadata,
    maxBatchSize: CONTACT_LINK_BATCH,
    fetch: async (contactIds) => {
      const chunks = chunk(contactIds, MAX_SEARCH_CLAUSES);
      const found = (
        await Promise.all(chunks.map((ids) => searchCustomers(ids.map((id) => metadataClause(HUBSPOT_CONTACT_METADATA_KEY, id)))))
      ).flat();
      // Re-checked here: search may return a customer whose metadata has since changed.
      const byContact = groupIds(found, (c) => c.metadata[HUBSPOT_CONTACT_METADATA_KEY]);
      return new Map(contactIds.map((id) => [id, byContact.get(id) ?? []]));
    },
  });

  const customerIdsByEmail = createCachedLoader<string[]>({
    cache,
    resource: R.customerIdsByEmail,
    maxBatchSize: MAX_SEARCH_CLAUSES,
    cacheKeyFn: normalizeEmail,
    fetch: async (emails) => {
      const wanted = [...new Set(emails.map(normalizeEmail))];
      const found = await searchCustomers(wanted.map((email) => fieldClause('email', email)));
      const byEmail = groupIds(found, (c) => (c.email ? normalizeEmail(c.email) : null));
      return new Map(wanted.map((email) => [email, byEmail.get(email) ?? []]));
    },
  });

  /**
   * The link rule, for a batch of contacts:
   * 1. the customer whose `metadata.hubspot_contact_id` is the contact id — the most
   *    recently created one if there are several;
   * 2. otherwise, the one customer whose email equals the contact's email
   *    case-insensitively — only if exactly one customer has that email and it does not
   *    name a different contact in its metadata;
   * 3. otherwise none.
   * Step 2 runs only for the contacts step 1 left unresolved, all of them together.
   */
  async function resolveContactLinks(keys: readonly string[]): Promise<Map<string, string | null>> {
    const contacts = keys.map(parseContactLinkKey);
    const byMetadata = await loadAll(
      customerIdsByContactMetadata,
      contacts.map((c) => c.id),
    );
    const links = new Map<string, string | null>();
    const unresolved: { id: string; email: string }[] = [];
    contacts.forEach((contact, index) => {
      const first = byMetadata[index]?.[0];
      if (first) links.set(contact.id, first);
      else if (contact.email && contact.email.trim() !== '') unresolved.push({ id: contact.id, email: contact.email });
      else links.set(contact.id, null);
    });
    if (unresolved.length === 0) return links;

    const byEmail = await loadAll(
      customerIdsByEmail,
      unresolved.map((c) => c.email),
    );
    const candidates = await loadAll(customer, [...new Set(byEmail.flatMap((ids) => (ids?.length === 1 ? ids : [])))]);
    const candidateById = new Map(candidates.filter((c): c is StripeCustomer => c !== null).map((c) => [c.id, c]));
    unresolved.forEach((contact, index) => {
      const ids = byEmail[index] ?? [];
      const only = ids.length === 1 ? candidateById.get(ids[0]) : undefined;
      const namedContact = only?.metadata[HUBSPOT_CONTACT_METADATA_KEY];
      links.set(contact.id, only && (!namedContact || namedContact === contact.id) ? only.id : null);
    });
    return links;
  }

  const customerIdByContact = createCachedLoader<string>({
    cache,
    resource: R.customerByContact,
    maxBatchSize: CONTACT_LINK_BATCH,
    cacheKeyFn: contactIdOfLinkKey,
    fetch: resolveContactLinks,
  });

  // What the link cache already says, read without resolving: undefined where it says nothing.
  const cachedContactLinks = new DataLoader<string, string | null | undefined>(
    async (contactIds) => cache.getMany<string>(R.customerByContact, contactIds).catch(() => contactIds.map(() => undefined)),
    { maxBatchSize: CONTACT_LINK_BATCH },
  );

  // One resolution per contact and request: the look-ahead and the billing subschema ask alike.
  const contactLinks = new Map<string, Promise<string | null>>();
  function customerIdOfContact(contact: ContactKey): Promise<string | null> {
    const key = contactLinkKey(contact);
    let link = contactLinks.get(key);
    if (!link) contactLinks.set(key, (link = resolveContactLink(contact)));
    return link;
  }

  /**
   * The link rule for one contact, without waiting on the rest of its batch: a contact the
   * metadata names settles as soon as the metadata searches answer, while the email
   * fallback runs for the others — so its invoices are asked of Stripe a search sooner.
   * A cached link comes first, as it did: it may know a customer the lagging search does not.
   */
  async function resolveContactLink(contact: ContactKey): Promise<string | null> {
    const [link, fromMetadata] = await linkById(contact.id);
    if (link === undefined) return customerIdByContact.load(contactLinkKey(contact));
    if (fromMetadata) {
      await primeCache({ cache, resource: R.customerByContact, loader: customerIdByContact, cacheKeyFn: contactIdOfLinkKey }, [
        [contactLinkKey(contact), link],
      ]);
    }
    return link;
  }

  /**
   * The steps of the link rule that need only the contact's id: the cached link (null: it
   * has none), else the newest customer the metadata names. Undefined leaves the link to the
   * email fallback; `fromMetadata` says the search, not the cache, decided it.
   */
  async function linkById(contactId: string): Promise<[link: string | null | undefined, fromMetadata: boolean]> {
    const cached = await cachedContactLinks.load(contactId);
    if (cached !== undefined) return [cached, false];
    const [first] = (await customerIdsByContactMetadata.load(contactId)) ?? [];
    return [first, first !== undefined];
  }

  /** Records of many customers by a search over `field:"cus_…"` clauses, grouped by customer. */
  const byCustomerSearch =
    <V extends Created & { customer: string | null }>(
      resource: string,
      listResource: string,
      loader: DataLoader<string, V | null>,
      search: (query: string, params: SearchParams) => Promise<StripeSearchResult<V>>,
    ) =>
    async (customerIds: readonly string[]) => {
      const query = anyOf(customerIds.map((id) => fieldClause('customer', id)));
      const [found, recent] = await Promise.all([
        searchAll((page) => search(query, page)),
        // Stripe's index lags writes: what was written lately is kept beside it (see
        // recentResource) and merged in, newest first, so a write is never read back missing.
        cache.getMany<string[]>(recentResource(listResource), customerIds).catch(() => customerIds.map(() => undefined)),
      ]);
      await prime(resource, loader, found);
      const byCustomer = groupIds(found, (record) => record.customer);
      return new Map(
        customerIds.map((id, index) => {
          const searched = byCustomer.get(id) ?? [];
          const extra = (recent[index] ?? []).filter((recentId) => !searched.includes(recentId));
          return [id, [...extra, ...searched]];
        }),
      );
    };

  const invoiceIdsByCustomer = createCachedLoader<string[]>({
    cache,
    resource: R.invoiceIdsByCustomer,
    maxBatchSize: MAX_SEARCH_CLAUSES,
    fetch: byCustomerSearch<StripeInvoice>(R.invoice, R.invoiceIdsByCustomer, invoice, api.searchInvoices),
  });

  const chargeIdsByCustomer = createCachedLoader<string[]>({
    cache,
    resource: R.chargeIdsByCustomer,
    maxBatchSize: MAX_SEARCH_CLAUSES,
    fetch: byCustomerSearch<StripeCharge>(R.charge, R.chargeIdsByCustomer, charge, api.searchCharges),
  });

  const subscriptionIdsByCustomer = createCachedLoader<string[]>({
    cache,
    resource: R.subscriptionIdsByCustomer,
    maxBatchSize: PER_ID_BATCH,
    fetch: perId(async (customerId) => {
      // perId already holds a concurrency slot for this customer's pages.
      const found = await listAll((page) => api.listSubscriptions({ ...page, customer: customerId, status: 'all' }));
      await prime(R.subscription, subscription, found);
      return newestFirst(found).map((s) => s.id);
    }),
  });

  async function recordsOf<V>(ids: DataLoader<string, string[] | null>, records: DataLoader<string, V | null>, key: string): Promise<V[]> {
    return loadRecords(records, (await ids.load(key)) ?? []);
  }

  async function page<T extends { id: string }>(resource: string, loader: DataLoader<string, T | null>, fetched: Promise<StripeList<T>>) {
    const result = await fetched;
    await prime(resource, loader, result.data);
    return result;
  }

  return {
    customer,
    invoice,
    subscription,
    charge,
    customerIdsByContactMetadata,
    customerIdsByEmail,
    customerIdByContact,
    invoiceIdsByCustomer,
    subscriptionIdsByCustomer,
    chargeIdsByCustomer,

    async customerForContact(contact) {
      return customerIdOfContact(contact).then((id) => (id ? customer.load(id) : null));
    },
    startCustomerLinks(contactIds, lists) {
      const listLoaders = { invoices: invoiceIdsByCustomer, subscriptions: subscriptionIdsByCustomer };
      Promise.all(contactIds.map(async (contactId) => (await linkById(contactId))[0]))
        .then((customerIds) => {
          for (const customerId of customerIds)
            if (customerId) for (const list of lists) listLoaders[list].load(customerId).catch(() => undefined);
        })
        .catch(() => undefined);
    },
    async customersOfContacts(contactIds) {
      const lists = await loadAll(customerIdsByContactMetadata, [...new Set(contactIds)]);
      const ids = [...new Set(lists.flatMap((list) => list ?? []))];
      return newestFirst(await loadRecords(customer, ids));
    },
    invoicesOfCustomer: (customerId) => recordsOf(invoiceIdsByCustomer, invoice, customerId),
    subscriptionsOfCustomer: (customerId) => recordsOf(subscriptionIdsByCustomer, subscription, customerId),
    chargesOfCustomer: (customerId) => recordsOf(chargeIdsByCustomer, charge, customerId),

    customersPage: (params) => page(R.customer, customer, api.listCustomers(params)),
    invoicesPage: (params) => page(R.invoice, invoice, api.listInvoices(params)),
    subscriptionsPage: (params) => page(R.subscription, subscription, api.listSubscriptions(params)),
    chargesPage: (params) => page(R.charge, charge, api.listCharges(params)),
  };
}
