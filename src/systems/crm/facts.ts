/** What the bottom layers know of HubSpot: its names, settings, quota and TTLs (see ../facts.ts). */
import type { BudgetLimit, SystemFacts } from '../facts.ts';
import { CRM_TTL_SECONDS } from './resources.ts';

/** HubSpot private apps: 100 calls per 10 s (Professional/Enterprise: 190; override with UPSTREAM_BUDGET_CRM). */
export const HUBSPOT_LIMIT: BudgetLimit = { limit: 100, windowMs: 10_000 };

const VENDOR_BASE_URL = 'https://api.hubapi.com';

export const crmFacts = {
  name: 'crm',
  label: 'HubSpot CRM',
  configLabel: 'CRM',
  vendorBaseUrl: VENDOR_BASE_URL,
  sandboxPath: '',
  env: {
    baseUrl: { name: 'HUBSPOT_BASE_URL', hint: `use the vendor's URL (${VENDOR_BASE_URL}) or a sandbox URL like http://127.0.0.1:4010` },
    credential: { name: 'HUBSPOT_TOKEN', hint: "paste only the private-app token, without 'Bearer ' or a trailing newline" },
    webhookSecret: { name: 'HUBSPOT_CLIENT_SECRET', hint: "paste the HubSpot app's client secret (it signs X-HubSpot-Signature-v3)" },
    budget: 'UPSTREAM_BUDGET_CRM',
  },
  credentialField: 'token',
  webhook: { vendor: 'hubspot', secretField: 'hubspotClientSecret' },
  ttlSeconds: CRM_TTL_SECONDS,
  quota: { bucket: () => 'all', limit: () => HUBSPOT_LIMIT },
  // Fills the budget's window up to what HubSpot still allows.
  rateLimitRemainingHeader: 'x-hubspot-ratelimit-remaining',
} as const satisfies SystemFacts;

declare module '../facts.ts' {
  interface FactsByName {
    crm: typeof crmFacts;
  }
}
