/**
 * The credential every test sends unless it is testing authentication itself: a full-scope
 * API key, configured (as its hash) in SWITCHBOARD_API_KEYS by `startStack`.
 */
import { apiKeyConfigEntry } from '../../src/auth/api-keys.ts';

export const TEST_API_KEY = 'sbk_test-suite-full-scope-key-not-a-secret';
export const TEST_API_KEYS_ENV = apiKeyConfigEntry('test-suite', TEST_API_KEY, ['*']);
export const TEST_AUTH_HEADERS: Readonly<Record<string, string>> = { authorization: `Bearer ${TEST_API_KEY}` };
