/**
 * Webhook delivery for an emulated vendor: listens to the emulator's `events` ('change',
 * fired for every API write and admin edit) and delivers each change in the vendor's
 * format to the targets registered through the admin API:
 *
 *   GET    /__sandbox/webhooks   targets (secrets hidden), settings, deliveries pending and the delivery log
 *   POST   /__sandbox/webhooks   { url, secret, ...settings } registers a target (Slack: after url_verification)
 *   PATCH  /__sandbox/webhooks   { retryDelaysMs?, ackTimeoutMs?, duplicateRate?, reorderWindowMs?, paused? }
 *   DELETE /__sandbox/webhooks   { url? } removes one target, or all
 */
import type { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { SystemName } from '../system-name.ts';
import type { BillingChange } from '../billing/store.ts';
import type { ChatChange } from '../chat/types.ts';
import type { CrmChangeEvent } from '../crm/store.ts';
import { Router, type SandboxRequest, type SandboxResponse, type VendorEmulator } from '../http.ts';
import { DEFAULT_WEBHOOK_SETTINGS, WebhookDeliverer, type WebhookSettings } from './deliverer.ts';
import { hubspotWebhooks } from './hubspot.ts';
import { slackWebhooks, verifySlackUrl } from './slack.ts';
import { stripeWebhooks } from './stripe.ts';

export { WebhookDeliverer } from './deliverer.ts';
export type { DeliveryLogEntry, WebhookSettings, WebhookTarget } from './deliverer.ts';

const DEFAULTS: Record<SystemName, WebhookSettings> = {
  crm: DEFAULT_WEBHOOK_SETTINGS,
  billing: DEFAULT_WEBHOOK_SETTINGS,
  // Slack retries at once, after 1 min and after 5 min (compressed here), when not acked in 3 s.
  chat: { ...DEFAULT_WEBHOOK_SETTINGS, ackTimeoutMs: 3000, retryDelaysMs: [100, 1000, 3000] },
};

const settingsSchema = z
  .object({
    retryDelaysMs: z.array(z.number().int().min(0).max(600_000)).max(20),
    ackTimeoutMs: z.number().int().min(1).max(60_000),
    duplicateRate: z.number().min(0).max(1),
    reorderWindowMs: z.number().int().min(0).max(60_000),
    paused: z.boolean(),
  })
  .partial()
  .strict();

const registration = settingsSchema.extend({ url: z.url({ protocol: /^https?$/ }), secret: z.string().min(1) }).strict();
const removal = z.object({ url: z.string().optional() }).strict();

function parseBody(req: SandboxRequest): unknown {
  if (req.rawBody.length === 0) return {};
  try {
    return JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
}

const bad = (error: string): SandboxResponse => ({ status: 400, body: { ok: false, error } });

export type WithEvents = VendorEmulator & { events: EventEmitter };

/** Starts delivering the vendor's changes as webhooks and adds the admin routes; returns the deliverer. */
export function attachWebhooks(vendor: WithEvents): WebhookDeliverer {
  const deliverer = new WebhookDeliverer(DEFAULTS[vendor.system]);
  const listener =
    vendor.system === 'crm'
      ? (hubspotWebhooks(deliverer) as (change: unknown) => void)
      : vendor.system === 'billing'
        ? (stripeWebhooks(deliverer) as (change: unknown) => void)
        : (slackWebhooks(deliverer) as (change: unknown) => void);
  vendor.events.on('change', listener as (change: CrmChangeEvent | BillingChange | ChatChange) => void);

  const admin = (vendor.admin ??= new Router());
  const show = (): SandboxResponse => ({
    status: 200,
    body: {
      targets: [...deliverer.targets.values()].map((t) => ({ url: t.url })),
      settings: deliverer.settings,
      pending: deliverer.pending,
      deliveries: deliverer.log,
    },
  });
  admin.on('GET', '/__sandbox/webhooks', show);
  admin.on('POST', '/__sandbox/webhooks', async (req) => {
    const parsed = registration.safeParse(parseBody(req));
    if (!parsed.success) return bad(`expected { url, secret, ...settings }: ${z.prettifyError(parsed.error)}`);
    const { url, secret, ...settings } = parsed.data;
    if (vendor.system === 'chat') {
      const problem = await verifySlackUrl({ url, secret });
      if (problem) return bad(problem);
    }
    deliverer.targets.set(url, { url, secret });
    Object.assign(deliverer.settings, settings);
    return show();
  });
  admin.on('PATCH', '/__sandbox/webhooks', (req) => {
    const parsed = settingsSchema.safeParse(parseBody(req));
    if (!parsed.success) return bad(z.prettifyError(parsed.error));
    Object.assign(deliverer.settings, parsed.data);
    return show();
  });
  admin.on('DELETE', '/__sandbox/webhooks', (req) => {
    const parsed = removal.safeParse(parseBody(req));
    if (!parsed.success) return bad(z.prettifyError(parsed.error));
    if (parsed.data.url) deliverer.targets.delete(parsed.data.url);
    else deliverer.targets.clear();
    return show();
  });

  const close = vendor.close?.bind(vendor);
  vendor.close = async () => {
    deliverer.close();
    vendor.events.off('change', listener);
    await close?.();
  };
  return deliverer;
}
