/** The billing system (Stripe): `billingSystem`, its one entry for the gateway, and the types other layers read. */
import type { SystemModule } from '../system.ts';
import { billingFacts } from './facts.ts';
import { createBillingConnector, type BillingConnector } from './client.ts';
import { listEventsSince } from './events.ts';
import { invalidateBilling } from './invalidate.ts';
import { createBillingLoaders, type BillingLoaders } from './loaders.ts';
import { stripeProfile } from './profile.ts';
import { stripeChange, stripeWebhook } from './webhook.ts';

export { classifyStripeResponse, STRIPE_API_VERSION, stripeProfile, stripeRetryAfterMs } from './profile.ts';
export { billingContract } from './contract.ts';
export {
  createBillingConnector,
  listAll,
  searchAll,
  STRIPE_MAX_LIMIT,
  type BillingConnector,
  type BillingConnectorOptions,
  type Bounds,
  type ListChargesParams,
  type ListCustomersParams,
  type ListInvoicesParams,
  type ListParams,
  type ListSubscriptionsParams,
  type SearchParams,
} from './client.ts';
export { createBillingLoaders, type BillingLoaders, type BillingLoadersOptions, type CustomerList } from './loaders.ts';
export { BILLING_CACHE_RESOURCES, BILLING_TTL_SECONDS, recentResource } from './resources.ts';
export { stripeChange, stripeEvent, type StripeEvent } from './webhook.ts';
export type {
  Open,
  StripeCharge,
  StripeChargeStatus,
  StripeCustomer,
  StripeInvoice,
  StripeInvoiceStatus,
  StripeLineItem,
  StripeList,
  StripePrice,
  StripeSearchResult,
  StripeSubscription,
  StripeSubscriptionItem,
  StripeSubscriptionStatus,
} from './schemas.ts';
export { encodeForm, flattenForm, quoteSearchValue } from './wire.ts';
export { INVOICE_STATUSES, type CustomerConditions, type InvoiceConditions } from './search-queries.ts';

export const billingSystem: SystemModule<'billing', BillingConnector, BillingLoaders> = {
  name: 'billing',
  facts: billingFacts,
  profile: stripeProfile,
  createConnector: createBillingConnector,
  createLoaders: ({ connector, cache, requestId }) => createBillingLoaders({ connector, cache, requestId }),
  invalidate: invalidateBilling,
  webhook: stripeWebhook,
  // Stripe's own event list from the cursor (the seconds boundary is re-read; event ids make that harmless).
  async catchUp({ upstream, since }) {
    const events = await listEventsSince(upstream, Math.floor(since / 1000));
    return events.map((event) => stripeChange(event, 'catch-up')).filter((change) => change !== null);
  },
  responseCache: {
    types: {
      Customer: 'customer',
      CustomerMetadataEntry: 'customer',
      Invoice: 'invoice',
      InvoiceLineItem: 'invoice',
      BillingSubscription: 'subscription',
      SubscriptionItem: 'subscription',
      Charge: 'charge',
    },
  },
};

/** The system's writes (validation, the vendor calls, the change each publishes), for the mutations and the workflows. */
export * from './commands.ts';
