/**
 * The configuration `serve` runs a test's gateway with: loadConfig, then in demo mode the
 * sandbox's webhook secrets for those left unset (src/demo.ts), so the receivers accept what
 * the test's sandbox signs.
 */
import { SANDBOX_WEBHOOK_SECRETS } from '@switchboard/sandbox';
import { loadConfig, type Config, type EnvLike } from '../../src/config.ts';
import { withDemoWebhookSecrets } from '../../src/demo.ts';

export function loadDemoConfig(env: EnvLike): Config {
  return withDemoWebhookSecrets(loadConfig(env), SANDBOX_WEBHOOK_SECRETS);
}
