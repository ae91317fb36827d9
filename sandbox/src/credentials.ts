import type { SystemName } from './system-name.ts';

/**
 * Credentials the embedded sandbox accepts. They open nothing but the local emulators, so
 * they may be printed and documented; real vendor credentials come only from the env.
 */
export const SANDBOX_CREDENTIALS = {
  crm: 'pat-na1-sandbox-switchboard',
  billing: 'sk_test_sandbox_switchboard',
  chat: 'xoxb-sandbox-switchboard',
} as const satisfies Record<SystemName, string>;

/** The fixed ports of `npm run sandbox` / `npm start`; tests use ephemeral ports. */
export const SANDBOX_PORTS = { crm: 4101, billing: 4102, chat: 4103 } as const satisfies Record<SystemName, number>;

/**
 * The secrets the sandbox's webhook deliveries are signed with when the gateway registers its
 * receivers in demo mode; the gateway accepts them in demo mode when no vendor secret is set.
 */
export const SANDBOX_WEBHOOK_SECRETS = {
  hubspotClientSecret: 'sandbox-hubspot-client-secret',
  stripeWebhookSecret: 'whsec_sandbox',
  slackSigningSecret: 'sandbox-slack-signing-secret',
} as const;
