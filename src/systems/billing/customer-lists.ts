/**
 * A customer's invoices and charges (invoice/charge search, `customer:"cus_…"` OR-ed ten to a
 * request, every page, all statuses — so any status filter is served from one fetch) and its
 * subscriptions (subscription search cannot filter on `customer`, so one
 * `GET /v1/subscriptions?customer=…&status=all` per customer, all pages).
 */
import type DataLoader from 'dataloader';
import { createCachedLoader } from '../../cache/cached-loader.ts';
import { timeReads } from '../../cache/reads-begun.ts';
import { groupIds, newestFirst, PER_ID_BATCH, type Created } from './batch.ts';
import { listAll, searchAll, type SearchParams } from './client.ts';
import type { BillingRead, BillingRecords } from './record-loaders.ts';
import { BILLING_CACHE_RESOURCES as R, recentResource } from './resources.ts';
import type { StripeCharge, StripeInvoice, StripeSearchResult } from './schemas.ts';
import { anyOf, fieldClause, MAX_SEARCH_CLAUSES } from './wire.ts';

export interface CustomerLists {
  invoiceIdsByCustomer: DataLoader<string, string[] | null>;
  chargeIdsByCustomer: DataLoader<string, string[] | null>;
  subscriptionIdsByCustomer: DataLoader<string, string[] | null>;
}

export function createCustomerLists(
  { api, cache }: BillingRead,
  { invoice, charge, subscription, perId, prime, primeSearched }: BillingRecords,
): CustomerLists {
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
      const [{ value: searched, begunAt: fetchedSince }, recent] = await Promise.all([
        timeReads(() => searchAll((page) => search(query, page))),
        // Stripe's index lags writes: what was written lately is kept beside it (see
        // recentResource) and merged in, newest first, so a write is never read back missing.
        cache.getMany<string[]>(recentResource(listResource), customerIds).catch(() => customerIds.map(() => undefined)),
      ]);
      const found = await primeSearched(resource, loader, searched, fetchedSince);
      const byCustomer = groupIds(found, (record) => record.customer);
      return new Map(
        customerIds.map((id, index) => {
          const ids = byCustomer.get(id) ?? [];
          const extra = (recent[index] ?? []).filter((recentId) => !ids.includes(recentId));
          return [id, [...extra, ...ids]];
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
      const { value: found, begunAt: fetchedSince } = await timeReads(() =>
        listAll((page) => api.listSubscriptions({ ...page, customer: customerId, status: 'all' })),
      );
      await prime(R.subscription, subscription, found, fetchedSince);
      return newestFirst(found).map((s) => s.id);
    }),
  });

  return { invoiceIdsByCustomer, chargeIdsByCustomer, subscriptionIdsByCustomer };
}
