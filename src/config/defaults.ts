/** Defaults that more than the configuration reads: the vendors' URLs, cache TTLs, the sandbox's webhook secrets. */
import type { SystemName } from '../errors.ts';

export const VENDOR_BASE_URLS: Readonly<Record<SystemName, string>> = {
  crm: 'https://api.hubapi.com',
  billing: 'https://api.stripe.com',
  chat: 'https://slack.com/api',
};

/**
 * Cross-request cache TTLs in seconds, by resource name. A resource missing here uses
 * `default`. Override any with CACHE_TTL_<RESOURCE> (CACHE_TTL_CONTACT=30;
 * CACHE_TTL_CUSTOMER_BY_CONTACT sets `customerByContact`); 0 turns caching off for it.
 * Owners, users and channels change rarely and are read on almost every request, hence
 * longer; messages change constantly.
 */
export const DEFAULT_CACHE_TTL_SECONDS: Readonly<Record<string, number>> = {
  default: 60,
  contact: 60,
  company: 60,
  deal: 60,
  owner: 300,
  customer: 60,
  invoice: 60,
  subscription: 60,
  charge: 60,
  user: 300,
  channel: 300,
  message: 15,
  // Directories and indexes over rarely-changing records: as long as the records themselves.
  ownerDirectory: 300,
  userByEmail: 300,
  // A cached list page holds only ids (records are cached on their own); pages go stale
  // as records are added, so they live shorter than the records.
  contactPage: 30,
  companyPage: 30,
  dealPage: 30,
  // The generation that keys list pages; a write replaces it to retire every cached page.
  listGeneration: 3600,
  // Ids written lately, merged into Stripe search results until its index shows them
  // (Stripe: "usually under a minute").
  customerInvoiceIdsRecent: 120,
  customerChargeIdsRecent: 120,
};
