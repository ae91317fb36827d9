/**
 * Demo mode's tie to the vendor emulator, the @switchboard/sandbox workspace package. It is
 * loaded with a dynamic import, in demo mode only, so a production process neither contains
 * nor loads it: `npm run build` compiles it to sandbox/dist/, never into dist/.
 */
import type { Config, WebhookConfig } from './config.ts';
import type { SystemName } from './errors.ts';

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

type WebhookSecrets = Required<Pick<WebhookConfig, 'hubspotClientSecret' | 'stripeWebhookSecret' | 'slackSigningSecret'>>;

/**
 * Demo mode: each vendor webhook secret left unset is the sandbox's well-known one, so the
 * receivers accept what the embedded sandbox signs (README). Production keeps only what is set.
 */
export function withDemoWebhookSecrets(config: Config, sandboxSecrets: WebhookSecrets): Config {
  if (config.mode !== 'demo') return config;
  const set = config.webhooks;
  const webhooks = {
    ...set,
    hubspotClientSecret: set.hubspotClientSecret ?? sandboxSecrets.hubspotClientSecret,
    stripeWebhookSecret: set.stripeWebhookSecret ?? sandboxSecrets.stripeWebhookSecret,
    slackSigningSecret: set.slackSigningSecret ?? sandboxSecrets.slackSigningSecret,
  };
  return { ...config, webhooks };
}

const RECEIVER_PATHS: Record<SystemName, string> = { crm: '/webhooks/hubspot', billing: '/webhooks/stripe', chat: '/webhooks/slack' };

/** Where each system's webhooks reach the gateway at `gatewayUrl`, and the secret its receiver checks them with. */
export function webhookReceivers(gatewayUrl: string, webhooks: WebhookConfig): Record<SystemName, { url: string; secret?: string }> {
  const secrets: Record<SystemName, string | undefined> = {
    crm: webhooks.hubspotClientSecret,
    billing: webhooks.stripeWebhookSecret,
    chat: webhooks.slackSigningSecret,
  };
  const receivers = {} as Record<SystemName, { url: string; secret?: string }>;
  for (const system of Object.keys(RECEIVER_PATHS) as SystemName[])
    receivers[system] = { url: `${gatewayUrl}${RECEIVER_PATHS[system]}`, secret: secrets[system] };
  return receivers;
}
