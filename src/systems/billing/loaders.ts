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
import {
  contactIdOfLinkKey,
  contactLinkKey,
  HUBSPOT_CONTACT_METADATA_KEY,
  resolveContactLinks,
  type ContactKey,
} from '../../links/contact-customer.ts';
import { normalizeEmail } from '../../links/email.ts';
import { createLimiter, groupIds, loadAll, loadRecords, newestFirst, type Created } from './batch.ts';
import { BILLING_CACHE_RESOURCES, recentResource } from './resources.ts';

// Where the link key lived before src/links; workflows and mutations still import it from here.
export { HUBSPOT_CONTACT_METADATA_KEY } from '../../links/contact-customer.ts';
export { BILLING_CACHE_RESOURCES, recentResource } from './resources.ts';

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

  /** The link rule (src/links/contact-customer.ts) over this request's loaders. */
  const resolveLinks = (keys: readonly string[]) =>
    resolveContactLinks<StripeCustomer>(keys, {
      customerIdsByContact: (ids) => loadAll(customerIdsByContactMetadata, ids),
      customerIdsByEmail: (emails) => loadAll(customerIdsByEmail, emails),
      customers: (ids) => loadAll(customer, ids),
    });

  const customerIdByContact = createCachedLoader<string>({
    cache,
    resource: R.customerByContact,
    maxBatchSize: CONTACT_LINK_BATCH,
    cacheKeyFn: contactIdOfLinkKey,
    fetch: resolveLinks,
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
