/** A system's settings read by its name, wherever its facts put them in the Config. */
import type { SystemName } from '../errors.ts';
import { factsOf } from '../systems/catalog.ts';
import type { Config, WebhookSecrets } from './types.ts';

export interface SystemSettings {
  baseUrl?: string;
  credential?: string;
}

/** A system's base URL and credential (`config.crm.token`, `config.billing.apiKey`, …). */
export function systemSettings(config: Pick<Config, SystemName>, system: SystemName): SystemSettings {
  const settings = config[system] as Record<string, string | undefined>;
  return { baseUrl: settings.baseUrl, credential: settings[factsOf(system).credentialField] };
}

/** The same shape back: `{ baseUrl, token }` for the CRM. */
export function systemConfig(system: SystemName, settings: SystemSettings): Record<string, string | undefined> {
  return { baseUrl: settings.baseUrl, [factsOf(system).credentialField]: settings.credential };
}

/** The secret a system's webhooks are signed with (`webhooks.hubspotClientSecret`, …). */
export function webhookSecret(webhooks: WebhookSecrets, system: SystemName): string | undefined {
  const secrets: Readonly<Record<string, unknown>> = { ...webhooks };
  return secrets[factsOf(system).webhook.secretField] as string | undefined;
}
