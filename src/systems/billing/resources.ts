/** The billing system's cache resources. */

/** Cache resource names; those without a default TTL below use `default`. */
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

/**
 * Ids deleted lately: Stripe's lagging search still returns a deleted object as it was, so
 * search results are filtered of these until its index shows the deletion.
 */
export function deletedResource(recordResource: string): string {
  return `${recordResource}Deleted`;
}

/** Default TTLs in seconds (CACHE_TTL_<RESOURCE> overrides each). */
export const BILLING_TTL_SECONDS: Readonly<Record<string, number>> = {
  customer: 60,
  invoice: 60,
  subscription: 60,
  charge: 60,
  // Ids written lately, merged into Stripe search results until its index shows them
  // (Stripe: "usually under a minute").
  [recentResource(BILLING_CACHE_RESOURCES.invoiceIdsByCustomer)]: 120,
  [recentResource(BILLING_CACHE_RESOURCES.chargeIdsByCustomer)]: 120,
  [deletedResource(BILLING_CACHE_RESOURCES.customer)]: 300,
  [deletedResource(BILLING_CACHE_RESOURCES.invoice)]: 300,
};
