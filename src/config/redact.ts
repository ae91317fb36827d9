import { CATALOG } from '../systems/catalog.ts';
import { systemConfig, systemSettings, webhookSecret } from './systems.ts';
import type { Config } from './types.ts';

/** The configuration with secrets replaced, for a startup log line. */
export function redactConfig(config: Config): Record<string, unknown> {
  const mask = (value: string | undefined) => (value === undefined ? undefined : '[redacted]');
  const maskUrl = (value: string | undefined) => {
    if (value === undefined) return undefined;
    const url = new URL(value);
    if (url.username || url.password) {
      url.username = '';
      url.password = '';
    }
    return url.toString().replace(/\/+$/, '');
  };
  return {
    ...config,
    ...Object.fromEntries(
      CATALOG.map(({ name }) => {
        const { baseUrl, credential } = systemSettings(config, name);
        return [name, systemConfig(name, { baseUrl: maskUrl(baseUrl), credential: mask(credential) })];
      }),
    ),
    cache: { ...config.cache, redisUrl: maskUrl(config.cache.redisUrl) },
    store: { ...config.store, databaseUrl: maskUrl(config.store.databaseUrl) },
    webhooks: {
      ...config.webhooks,
      ...Object.fromEntries(CATALOG.map(({ name, webhook }) => [webhook.secretField, mask(webhookSecret(config.webhooks, name))])),
    },
  };
}
