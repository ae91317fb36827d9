/**
 * Demo mode: points the sandbox's webhook deliveries at the gateway's receivers, as an
 * operator does once in each vendor's dashboard for the real services (README).
 */
import type { SystemName } from '../system-name.ts';

/** Where one system's deliveries go, signed with which secret; a system without a secret is left unregistered. */
export interface WebhookReceiver {
  url: string;
  secret?: string;
}

/** Registers each receiver with its sandbox system (`POST /__sandbox/webhooks`); returns the systems that refused, with why. */
export async function registerWebhookReceivers(
  sandboxUrls: Partial<Record<SystemName, string>>,
  receivers: Partial<Record<SystemName, WebhookReceiver>>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const [system, base] of Object.entries(sandboxUrls) as [SystemName, string][]) {
    const receiver = receivers[system];
    if (!receiver?.secret) continue;
    const response = await fetch(`${base}/__sandbox/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, secret: receiver.secret }),
    });
    if (!response.ok) problems.push(`${system}: ${response.status} ${await response.text()}`);
  }
  return problems;
}
