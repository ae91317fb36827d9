/** Defaults that more than the configuration reads: the vendors' URLs, cache TTLs and alert thresholds. */
import type { SystemName } from '../errors.ts';
import { CATALOG, SYSTEM_TTL_SECONDS } from '../systems/catalog.ts';
import type { AlertsConfig } from './types.ts';

export const VENDOR_BASE_URLS = Object.fromEntries(CATALOG.map((facts) => [facts.name, facts.vendorBaseUrl])) as Readonly<
  Record<SystemName, string>
>;

/**
 * Cross-request cache TTLs in seconds, by resource name: each system's defaults (its module's
 * `ttlSeconds`). A resource missing here uses `default`. Override any with CACHE_TTL_<RESOURCE>
 * (CACHE_TTL_CONTACT=30; CACHE_TTL_CUSTOMER_BY_CONTACT sets `customerByContact`); 0 turns caching off for it.
 */
export const DEFAULT_CACHE_TTL_SECONDS: Readonly<Record<string, number>> = { default: 60, ...SYSTEM_TTL_SECONDS };

/** Alert thresholds (ALERT_*): a tenth of a quota bucket left for a minute, a breaker open a minute, webhooks 5 minutes late. */
export const DEFAULT_ALERTS: Readonly<AlertsConfig> = {
  quotaLeftPercent: 10,
  quotaForSeconds: 60,
  breakerOpenSeconds: 60,
  webhookLagSeconds: 300,
  onOutcomeUnknown: true,
};
