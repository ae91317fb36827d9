/** What the bottom layers know of Slack: its names, settings, quota and TTLs (see ../facts.ts). */
import type { BudgetLimit, SystemFacts } from '../facts.ts';
import { CHAT_TTL_SECONDS } from './resources.ts';

/** Slack's documented per-method tiers (api.slack.com/apis/rate-limits), per workspace and app. */
export const SLACK_TIERS = {
  tier1: { limit: 1, windowMs: 60_000 },
  tier2: { limit: 20, windowMs: 60_000 },
  tier3: { limit: 50, windowMs: 60_000 },
  tier4: { limit: 100, windowMs: 60_000 },
  // chat.postMessage is "special": about one message per second per channel.
  special: { limit: 60, windowMs: 60_000 },
} as const satisfies Record<string, BudgetLimit>;

const SLACK_METHOD_TIERS: Record<string, keyof typeof SLACK_TIERS> = {
  'users.list': 'tier2',
  'conversations.list': 'tier2',
  'users.info': 'tier4',
  'users.lookupByEmail': 'tier3',
  'users.profile.get': 'tier4',
  'conversations.info': 'tier3',
  'conversations.history': 'tier3',
  'conversations.replies': 'tier3',
  'conversations.members': 'tier4',
  'chat.postMessage': 'special',
  'chat.update': 'tier3',
  'auth.test': 'tier4',
};

/**
 * How the Slack app is distributed (SLACK_APP_DISTRIBUTION). Since 2025-05-29 Slack limits apps
 * distributed outside its Marketplace ("non-Marketplace" apps, new ones from then, existing
 * installs from 2026-03-03) on conversations.history and conversations.replies to 1 call a
 * minute and 15 messages a page (docs.slack.dev/apis/web-api/rate-limits); internal (custom)
 * apps and Marketplace apps keep Tier 3.
 */
export const SLACK_APP_DISTRIBUTIONS = ['internal', 'marketplace', 'non-marketplace'] as const;
export type SlackAppDistribution = (typeof SLACK_APP_DISTRIBUTIONS)[number];

const STRICT_HISTORY_METHODS: ReadonlySet<string> = new Set(['conversations.history', 'conversations.replies']);
/** The most messages a non-Marketplace app gets per history page (`limit` above it returns 15). */
export const NON_MARKETPLACE_PAGE_LIMIT = 15;

/** The most messages one history call may ask for under `distribution` (undefined: no cap but Slack's own). */
export function historyPageLimit(distribution: string | undefined): number | undefined {
  return distribution === 'non-marketplace' ? NON_MARKETPLACE_PAGE_LIMIT : undefined;
}

const VENDOR_BASE_URL = 'https://slack.com/api';

export const chatFacts = {
  name: 'chat',
  label: 'Slack',
  configLabel: 'chat',
  vendorBaseUrl: VENDOR_BASE_URL,
  // Slack's Web API lives under /api, and so does the sandbox's.
  sandboxPath: '/api',
  env: {
    baseUrl: { name: 'SLACK_BASE_URL', hint: `use the vendor's URL (${VENDOR_BASE_URL}) or a sandbox URL` },
    credential: { name: 'SLACK_BOT_TOKEN', hint: 'paste only the bot token (xoxb-…)' },
    webhookSecret: { name: 'SLACK_SIGNING_SECRET', hint: "paste the Slack app's signing secret (Basic Information → App Credentials)" },
    budget: 'UPSTREAM_BUDGET_CHAT',
    plan: {
      name: 'SLACK_APP_DISTRIBUTION',
      values: SLACK_APP_DISTRIBUTIONS,
      default: 'internal',
      hint: 'use internal (a custom app of your workspace), marketplace (listed in the Slack Marketplace) or non-marketplace (distributed but not listed: history 1 call a minute, 15 messages a page)',
      // One history call a minute: a page must outlive the minute, or asking for it again is refused.
      ttlSeconds: { 'non-marketplace': { message: 60 } },
    },
  },
  credentialField: 'botToken',
  webhook: { vendor: 'slack', secretField: 'slackSigningSecret' },
  ttlSeconds: CHAT_TTL_SECONDS,
  quota: {
    // Slack's quotas are per method: a method without a documented tier shares one bucket.
    bucket: (route: string) => {
      const method = /\/([\w.]+)$/.exec(route)?.[1] ?? 'other';
      return SLACK_METHOD_TIERS[method] ? method : 'other';
    },
    limit: (bucket: string, _credential: string, distribution?: string) =>
      distribution === 'non-marketplace' && STRICT_HISTORY_METHODS.has(bucket)
        ? SLACK_TIERS.tier1
        : SLACK_TIERS[SLACK_METHOD_TIERS[bucket] ?? 'tier3'],
  },
} as const satisfies SystemFacts;

declare module '../facts.ts' {
  interface FactsByName {
    chat: typeof chatFacts;
  }
}
