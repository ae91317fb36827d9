/** What the bottom layers know of HubSpot: its names, settings, quota and TTLs (see ../facts.ts). */
import type { BudgetLimit, SystemFacts } from '../facts.ts';
import { CRM_TTL_SECONDS } from './resources.ts';

/** HubSpot subscription tiers (HUBSPOT_PLAN); the per-app burst limit follows the account's tier. */
export const HUBSPOT_PLANS = ['free', 'starter', 'professional', 'enterprise'] as const;
export type HubSpotPlan = (typeof HUBSPOT_PLANS)[number];

/** HubSpot private apps: 100 calls per 10 s (Professional/Enterprise: 190; override with UPSTREAM_BUDGET_CRM). */
export const HUBSPOT_LIMIT: BudgetLimit = { limit: 100, windowMs: 10_000 };
const HUBSPOT_PLAN_LIMITS: Readonly<Record<HubSpotPlan, BudgetLimit>> = {
  free: HUBSPOT_LIMIT,
  starter: HUBSPOT_LIMIT,
  professional: { limit: 190, windowMs: 10_000 },
  enterprise: { limit: 190, windowMs: 10_000 },
};

/**
 * The CRM search endpoints have a limit of their own, per token, whatever the tier. HubSpot
 * announced 4 per second (changelog "CRM Search API Rate Limit Increase"); later pages say 5.
 * 4 holds under either figure, and a search refused costs more than one paced by 250 ms.
 */
export const HUBSPOT_SEARCH_LIMIT: BudgetLimit = { limit: 4, windowMs: 1_000 };
const SEARCH_ROUTE = /\/crm\/v3\/objects\/[^/]+\/search$/;

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
    plan: {
      name: 'HUBSPOT_PLAN',
      values: HUBSPOT_PLANS,
      default: 'starter',
      hint: "name the HubSpot account's tier: free or starter (100 calls per 10 s), professional or enterprise (190 per 10 s)",
    },
  },
  credentialField: 'token',
  webhook: { vendor: 'hubspot', secretField: 'hubspotClientSecret' },
  ttlSeconds: CRM_TTL_SECONDS,
  quota: {
    bucket: (route: string) => (SEARCH_ROUTE.test(route) ? 'search' : 'all'),
    limit: (bucket: string, _credential: string, plan?: string) =>
      bucket === 'search' ? HUBSPOT_SEARCH_LIMIT : (HUBSPOT_PLAN_LIMITS[plan as HubSpotPlan] ?? HUBSPOT_LIMIT),
    within: (bucket: string) => (bucket === 'search' ? 'all' : undefined),
  },
  // Fills the budget's window up to what HubSpot still allows.
  rateLimitRemainingHeader: 'x-hubspot-ratelimit-remaining',
} as const satisfies SystemFacts;

declare module '../facts.ts' {
  interface FactsByName {
    crm: typeof crmFacts;
  }
}
