/**
 * Demo mode: points the embedded sandbox's webhook deliveries at this gateway's receivers,
 * as an operator does once in each vendor's dashboard for the real services (README).
 */
import type { WebhookConfig } from '../config.ts';
import type { SystemName } from '../errors.ts';

const RECEIVER_PATHS: Record<SystemName, string> = { crm: '/webhooks/hubspot', billing: '/webhooks/stripe', chat: '/webhooks/slack' };

function secretFor(system: SystemName, webhooks: WebhookConfig): string | undefined {
  return system === 'crm'
    ? webhooks.hubspotClientSecret
    : system === 'billing'
      ? webhooks.stripeWebhookSecret
      : webhooks.slackSigningSecret;
}

/** Registers `gatewayUrl`'s receivers with each sandbox system; returns the systems that refused, with why. */
export async function registerWithSandbox(
  sandboxUrls: Partial<Record<SystemName, string>>,
  gatewayUrl: string,
  webhooks: WebhookConfig,
): Promise<string[]> {
  const problems: string[] = [];
  for (const [system, base] of Object.entries(sandboxUrls) as [SystemName, string][]) {
    const secret = secretFor(system, webhooks);
    if (!secret) continue;
    const response = await fetch(`${base}/__sandbox/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${gatewayUrl}${RECEIVER_PATHS[system]}`, secret }),
    });
    if (!response.ok) problems.push(`${system}: ${response.status} ${await response.text()}`);
  }
  return problems;
}
