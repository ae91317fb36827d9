/**
 * Billing records by id. Stripe has no multi-id GET, and search cannot filter on `id`, so a
 * batch fans out one GET per distinct uncached id, at most PER_ID_CONCURRENCY at a time.
 */
import type DataLoader from 'dataloader';
import { createCachedLoader, primeCache, settleEach } from '../../cache/cached-loader.ts';
import type { ResourceCache } from '../../cache/types.ts';
import { PER_ID_BATCH } from './batch.ts';
import type { BillingConnector } from './client.ts';
import { BILLING_CACHE_RESOURCES as R, deletedResource } from './resources.ts';
import type { StripeCharge, StripeCustomer, StripeInvoice, StripeSubscription } from './schemas.ts';

/** What every part of the billing loaders reads through. */
export interface BillingRead {
  api: BillingConnector;
  cache: ResourceCache;
  /** This request's bound on concurrent one-id calls. */
  limit: <T>(task: () => Promise<T>) => Promise<T>;
}

export interface BillingRecords {
  customer: DataLoader<string, StripeCustomer | null>;
  invoice: DataLoader<string, StripeInvoice | null>;
  subscription: DataLoader<string, StripeSubscription | null>;
  charge: DataLoader<string, StripeCharge | null>;
  /** One GET per id, each settled on its own. */
  perId<V>(retrieve: (id: string) => Promise<V | null>): (ids: readonly string[]) => Promise<Map<string, V | null | Error>>;
  /**
   * Records a search returned, less those deleted lately (Stripe's index still shows them
   * as they were), cached and primed as `prime` does.
   */
  primeSearched<V extends { id: string }>(
    resource: string,
    loader: DataLoader<string, V | null>,
    found: readonly V[],
    fetchedSince: number,
  ): Promise<V[]>;
  /** Caches records read some other way (by a read begun at `fetchedSince`), and primes the loader. */
  prime<V extends { id: string }>(
    resource: string,
    loader: DataLoader<string, V | null>,
    records: readonly V[],
    fetchedSince: number,
  ): Promise<void>;
}

export function createBillingRecords({ api, cache, limit }: BillingRead): BillingRecords {
  /**
   * One GET per id, each settled on its own: an id Stripe answered badly (or not at all) is
   * that record's error, and its neighbours in the batch still resolve and are cached.
   */
  const perId =
    <V>(retrieve: (id: string) => Promise<V | null>) =>
    (ids: readonly string[]) =>
      settleEach(ids, retrieve, limit);

  const byId = <V>(resource: string, retrieve: (id: string) => Promise<V | null>) =>
    createCachedLoader<V>({ cache, resource, maxBatchSize: PER_ID_BATCH, fetch: perId(retrieve) });
  const customer = byId<StripeCustomer>(R.customer, api.retrieveCustomer);
  const invoice = byId<StripeInvoice>(R.invoice, api.retrieveInvoice);
  const subscription = byId<StripeSubscription>(R.subscription, api.retrieveSubscription);
  const charge = byId<StripeCharge>(R.charge, api.retrieveCharge);

  const prime = <V extends { id: string }>(
    resource: string,
    loader: DataLoader<string, V | null>,
    records: readonly V[],
    fetchedSince: number,
  ) =>
    primeCache(
      { cache, resource, loader },
      records.map((record) => [record.id, record] as const),
      fetchedSince,
    );

  async function primeSearched<V extends { id: string }>(
    resource: string,
    loader: DataLoader<string, V | null>,
    found: readonly V[],
    fetchedSince: number,
  ): Promise<V[]> {
    if (found.length === 0) return [];
    const ids = found.map((record) => record.id);
    // Without the cache, the search is taken as it is.
    const deleted = await cache.getMany<boolean>(deletedResource(resource), ids).catch(() => ids.map(() => undefined));
    const live = found.filter((_, index) => deleted[index] !== true);
    await prime(resource, loader, live, fetchedSince);
    return live;
  }

  return { customer, invoice, subscription, charge, perId, prime, primeSearched };
}
