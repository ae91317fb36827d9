/** What the bottom layers know of Stripe: its names, settings, quota and TTLs (see ../facts.ts). */
import type { BudgetLimit, SystemFacts } from '../facts.ts';
import { BILLING_TTL_SECONDS } from './resources.ts';

/** Stripe: 100 read operations per second in live mode, 25 in test mode. */
export const STRIPE_LIVE_LIMIT: BudgetLimit = { limit: 100, windowMs: 1_000 };
export const STRIPE_TEST_LIMIT: BudgetLimit = { limit: 25, windowMs: 1_000 };

const VENDOR_BASE_URL = 'https://api.stripe.com';

export const billingFacts = {
  name: 'billing',
  label: 'Stripe',
  configLabel: 'billing',
  vendorBaseUrl: VENDOR_BASE_URL,
  sandboxPath: '',
  env: {
    baseUrl: { name: 'STRIPE_BASE_URL', hint: `use the vendor's URL (${VENDOR_BASE_URL}) or a sandbox URL` },
    credential: { name: 'STRIPE_API_KEY', hint: 'paste only the secret or restricted key (sk_… / rk_…)' },
    webhookSecret: { name: 'STRIPE_WEBHOOK_SECRET', hint: "paste the endpoint's signing secret (whsec_…)" },
    budget: 'UPSTREAM_BUDGET_BILLING',
  },
  credentialField: 'apiKey',
  webhook: { vendor: 'stripe', secretField: 'stripeWebhookSecret' },
  ttlSeconds: BILLING_TTL_SECONDS,
  quota: {
    bucket: () => 'all',
    limit: (_bucket: string, credential: string) => (/^(sk|rk)_live_/.test(credential) ? STRIPE_LIVE_LIMIT : STRIPE_TEST_LIMIT),
  },
} as const satisfies SystemFacts;

declare module '../facts.ts' {
  interface FactsByName {
    billing: typeof billingFacts;
  }
}
