/** Defaults that more than the configuration reads: the vendors' URLs and cache TTLs. */
import type { SystemName } from '../errors.ts';
import { CATALOG, SYSTEM_TTL_SECONDS } from '../systems/catalog.ts';

export const VENDOR_BASE_URLS = Object.fromEntries(CATALOG.map((facts) => [facts.name, facts.vendorBaseUrl])) as Readonly<
  Record<SystemName, string>
>;

/**
 * Cross-request cache TTLs in seconds, by resource name: each system's defaults (its module's
 * `ttlSeconds`). A resource missing here uses `default`. Override any with CACHE_TTL_<RESOURCE>
 * (CACHE_TTL_CONTACT=30; CACHE_TTL_CUSTOMER_BY_CONTACT sets `customerByContact`); 0 turns caching off for it.
 */
export const DEFAULT_CACHE_TTL_SECONDS: Readonly<Record<string, number>> = { default: 60, ...SYSTEM_TTL_SECONDS };
