/**
 * The billing (Stripe) connector's public API: the vendor profile for the shared upstream
 * client, the typed REST client, and the per-request loaders.
 */
export { classifyStripeResponse, STRIPE_API_VERSION, stripeProfile, stripeRetryAfterMs } from './profile.ts';
export {
  createBillingConnector,
  listAll,
  searchAll,
  STRIPE_MAX_LIMIT,
  type BillingConnector,
  type BillingConnectorOptions,
  type CreatedRange,
  type ListChargesParams,
  type ListCustomersParams,
  type ListInvoicesParams,
  type ListParams,
  type ListSubscriptionsParams,
  type SearchParams,
} from './client.ts';
export {
  BILLING_CACHE_RESOURCES,
  contactLinkKey,
  createBillingLoaders,
  HUBSPOT_CONTACT_METADATA_KEY,
  normalizeEmail,
  type BillingLoaders,
  type BillingLoadersOptions,
  type ContactKey,
} from './loaders.ts';
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
