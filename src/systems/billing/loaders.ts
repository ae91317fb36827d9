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
 *   the two above (src/links/contact-customer.ts). `customerForContact` settles a contact the
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
 * Parts: record-loaders.ts (by id), contact-links.ts (contact → customer), customer-lists.ts
 * (a customer's invoices, charges, subscriptions); this file composes them.
 *
 * Search lags writes; the links it finds are cached for the link TTL, and the write path
 * invalidates the affected keys so a caller reads its own write.
 */
import type DataLoader from 'dataloader';
import type { ResourceCache } from '../../cache/types.ts';
import { timeReads } from '../../cache/reads-begun.ts';
import type { ContactKey } from '../../links/contact-customer.ts';
import { createLimiter, loadAll, loadRecords, newestFirst, PER_ID_CONCURRENCY } from './batch.ts';
import type {
  BillingConnector,
  ListChargesParams,
  ListCustomersParams,
  ListInvoicesParams,
  ListSubscriptionsParams,
  SearchParams,
} from './client.ts';
import { createContactLinks, createCustomerSearches } from './contact-links.ts';
import { createCustomerLists } from './customer-lists.ts';
import { customerSearchQuery, invoiceSearchQuery, type CustomerConditions, type InvoiceConditions } from './search-queries.ts';
import { createBillingRecords } from './record-loaders.ts';
import { BILLING_CACHE_RESOURCES } from './resources.ts';
import type { StripeCharge, StripeCustomer, StripeInvoice, StripeList, StripeSearchResult, StripeSubscription } from './schemas.ts';

export { BILLING_CACHE_RESOURCES, recentResource } from './resources.ts';

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
  /** One search page each, less what was deleted lately (see `primeSearched`), primed likewise. */
  customersSearch(conditions: CustomerConditions, params: SearchParams): Promise<StripeSearchResult<StripeCustomer>>;
  invoicesSearch(conditions: InvoiceConditions, params: SearchParams): Promise<StripeSearchResult<StripeInvoice>>;
}

export function createBillingLoaders({ connector, cache, requestId }: BillingLoadersOptions): BillingLoaders {
  const api = requestId ? connector.withRequestId(requestId) : connector;
  const read = { api, cache, limit: createLimiter(PER_ID_CONCURRENCY) };
  const R = BILLING_CACHE_RESOURCES;
  const records = createBillingRecords(read);
  const { customer, invoice, subscription, charge, prime, primeSearched } = records;
  const searches = createCustomerSearches(read, records);
  const { customerIdsByContactMetadata, customerIdsByEmail } = searches;
  const { customerIdByContact, customerIdOfContact, linkById } = createContactLinks(read, records, searches);
  const { invoiceIdsByCustomer, chargeIdsByCustomer, subscriptionIdsByCustomer } = createCustomerLists(read, records);

  async function recordsOf<V>(ids: DataLoader<string, string[] | null>, records: DataLoader<string, V | null>, key: string): Promise<V[]> {
    return loadRecords(records, (await ids.load(key)) ?? []);
  }

  async function page<T extends { id: string }>(
    resource: string,
    loader: DataLoader<string, T | null>,
    list: () => Promise<StripeList<T>>,
  ) {
    const { value: result, begunAt: fetchedSince } = await timeReads(list);
    await prime(resource, loader, result.data, fetchedSince);
    return result;
  }

  async function searchPage<T extends { id: string }>(
    resource: string,
    loader: DataLoader<string, T | null>,
    search: () => Promise<StripeSearchResult<T>>,
  ) {
    const { value: result, begunAt: fetchedSince } = await timeReads(search);
    return { ...result, data: await primeSearched(resource, loader, result.data, fetchedSince) };
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

    customersPage: (params) => page(R.customer, customer, () => api.listCustomers(params)),
    invoicesPage: (params) => page(R.invoice, invoice, () => api.listInvoices(params)),
    subscriptionsPage: (params) => page(R.subscription, subscription, () => api.listSubscriptions(params)),
    chargesPage: (params) => page(R.charge, charge, () => api.listCharges(params)),
    customersSearch: (conditions, params) =>
      searchPage(R.customer, customer, () => api.searchCustomers(customerSearchQuery(conditions), params)),
    invoicesSearch: (conditions, params) =>
      searchPage(R.invoice, invoice, () => api.searchInvoices(invoiceSearchQuery(conditions), params)),
  };
}
