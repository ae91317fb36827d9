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
    limit: (bucket: string) => SLACK_TIERS[SLACK_METHOD_TIERS[bucket] ?? 'tier3'],
  },
} as const satisfies SystemFacts;

declare module '../facts.ts' {
  interface FactsByName {
    chat: typeof chatFacts;
  }
}
