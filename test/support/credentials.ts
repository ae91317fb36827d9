/**
 * The credential every test sends unless it is testing authentication itself: a full-scope
 * API key, configured (as its hash) in SWITCHBOARD_API_KEYS by `startStack`.
 */
import { apiKeyConfigEntry } from '../../src/auth/api-keys.ts';
import { SANDBOX_CREDENTIALS } from '@switchboard/sandbox';

export const TEST_API_KEY = 'sbk_test-suite-full-scope-key-not-a-secret';
export const TEST_API_KEYS_ENV = apiKeyConfigEntry('test-suite', TEST_API_KEY, ['*']);
export const TEST_AUTH_HEADERS: Readonly<Record<string, string>> = { authorization: `Bearer ${TEST_API_KEY}` };

/** The variables that point a gateway at sandbox vendors, as an operator points it at the real ones. */
export function sandboxVendorEnv(urls: Readonly<Partial<Record<'crm' | 'billing' | 'chat', string>>>): Record<string, string> {
  return {
    HUBSPOT_BASE_URL: urls.crm!,
    HUBSPOT_TOKEN: SANDBOX_CREDENTIALS.crm,
    STRIPE_BASE_URL: urls.billing!,
    STRIPE_API_KEY: SANDBOX_CREDENTIALS.billing,
    // Slack's Web API lives under /api, on the vendor and in the sandbox alike.
    SLACK_BASE_URL: `${urls.chat}/api`,
    SLACK_BOT_TOKEN: SANDBOX_CREDENTIALS.chat,
  };
}
