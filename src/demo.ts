/**
 * Demo mode's tie to the vendor emulator, the @switchboard/sandbox workspace package. It is
 * loaded with a dynamic import, in demo mode only, so a production process neither contains
 * nor loads it: `npm run build` compiles it to sandbox/dist/, never into dist/.
 */
import { webhookSecret, type Config, type WebhookConfig, type WebhookSecrets } from './config.ts';
import type { SystemName } from './errors.ts';
import { CATALOG } from './systems/catalog.ts';

/** The sandbox package: its sources under tsx and vitest (its `source` export condition), sandbox/dist/ when compiled. */
export async function loadSandboxPackage() {
  try {
    return await import('@switchboard/sandbox');
  } catch (error) {
    // A compiled gateway whose sandbox was never built (a production build copied elsewhere, say): say what to do.
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      `demo mode needs the sandbox package, and it could not be loaded (run \`npm run build\`): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

export type SandboxPackage = Awaited<ReturnType<typeof loadSandboxPackage>>;

/**
 * Demo mode: each vendor webhook secret left unset is the sandbox's well-known one (if it emulates the vendor), so the
 * receivers accept what the embedded sandbox signs (README). Production keeps only what is set.
 */
export function withDemoWebhookSecrets(config: Config, sandboxSecrets: WebhookSecrets): Config {
  if (config.mode !== 'demo') return config;
  const set = config.webhooks;
  const filled = CATALOG.map(({ name, webhook }) => [webhook.secretField, webhookSecret(set, name) ?? webhookSecret(sandboxSecrets, name)]);
  return { ...config, webhooks: { ...set, ...Object.fromEntries(filled) } };
}

/** Where each system's webhooks reach the gateway at `gatewayUrl`, and the secret its receiver checks them with. */
export function webhookReceivers(gatewayUrl: string, webhooks: WebhookConfig): Record<SystemName, { url: string; secret?: string }> {
  const receivers = {} as Record<SystemName, { url: string; secret?: string }>;
  for (const { name, webhook } of CATALOG)
    receivers[name] = { url: `${gatewayUrl}/webhooks/${webhook.vendor}`, secret: webhookSecret(webhooks, name) };
  return receivers;
}
