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
    crm: { baseUrl: maskUrl(config.crm.baseUrl), token: mask(config.crm.token) },
    billing: { baseUrl: maskUrl(config.billing.baseUrl), apiKey: mask(config.billing.apiKey) },
    chat: { baseUrl: maskUrl(config.chat.baseUrl), botToken: mask(config.chat.botToken) },
    cache: { ...config.cache, redisUrl: maskUrl(config.cache.redisUrl) },
    store: { ...config.store, databaseUrl: maskUrl(config.store.databaseUrl) },
    webhooks: {
      ...config.webhooks,
      hubspotClientSecret: mask(config.webhooks.hubspotClientSecret),
      stripeWebhookSecret: mask(config.webhooks.stripeWebhookSecret),
      slackSigningSecret: mask(config.webhooks.slackSigningSecret),
    },
  };
}
