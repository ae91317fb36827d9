/**
 * The vendor and webhook faults the nemesis casts, each as a spell: a patch that sets it, the
 * patch that puts back what was there before, and how long it lasts. Values are drawn from
 * the run's seed, and each spell is named by what it set (`crm:outage=hang`,
 * `webhooks:billing:duplicateRate=0.5`) so the history reads as a list of what was done.
 */
import type { Prng, SystemName } from '@switchboard/sandbox';
import type { KnobPatch, SandboxAdmin, WebhookPatch } from './nemesis-admin.ts';

export interface Spell {
  action: string;
  ms: number;
  apply(): Promise<void>;
  lift(): Promise<void>;
}

/** What each system's knobs and webhook settings were before the nemesis touched them. */
export interface Baseline {
  knobs: Record<SystemName, KnobPatch>;
  webhooks: Record<SystemName, Required<WebhookPatch>>;
}

export const VENDOR_FAULTS = ['refuse', 'hang', 'errors', 'rateLimit', 'corrupt', 'slowBody', 'latency'] as const;
export type VendorFault = (typeof VENDOR_FAULTS)[number];

export const WEBHOOK_FAULTS = ['duplicate', 'reorder', 'drop', 'delay'] as const;
export type WebhookFault = (typeof WEBHOOK_FAULTS)[number];

/** Most spells: long enough for many requests to meet them, short enough to leave most of the run healthy. */
const spellMs = (prng: Prng) => prng.int(2000, 5000);

export function vendorSpell(
  fault: VendorFault,
  system: SystemName,
  context: { prng: Prng; admin: SandboxAdmin; baseline: Baseline; requestDeadlineMs: number },
): Spell {
  const { prng, admin, baseline } = context;
  let ms = spellMs(prng);
  let patch: KnobPatch;
  switch (fault) {
    case 'refuse':
      patch = { outage: 'refuse' };
      break;
    case 'hang':
      // Some hangs outlast a whole request's deadline: the gateway must give up on them, not wait.
      if (prng.chance(0.4)) ms = context.requestDeadlineMs + prng.int(1000, 3000);
      patch = { outage: 'hang' };
      break;
    case 'errors':
      patch = { errorRate: prng.pick([0.2, 0.5, 1]) };
      break;
    case 'rateLimit':
      patch = { rateLimitForMs: ms };
      break;
    case 'corrupt':
      patch = { corrupt: prng.pick(['html', 'truncate', 'drop-field', 'wrong-type']) };
      break;
    case 'slowBody':
      patch = { slowBodyMs: prng.int(500, 4000) };
      break;
    case 'latency':
      patch = { latencyMs: prng.int(300, 3000) };
      break;
  }
  const [key, value] = Object.entries(patch)[0];
  // A storm ends by asking for one of 0 ms; every other knob goes back to what it was.
  const undo: KnobPatch = { [key]: key === 'rateLimitForMs' ? 0 : baseline.knobs[system][key] };
  return {
    action: `${system}:${key}=${value}`,
    ms,
    apply: async () => void (await admin.knobs(system, patch)),
    lift: async () => void (await admin.knobs(system, undo)),
  };
}

export function webhookSpell(
  fault: WebhookFault,
  system: SystemName,
  context: { prng: Prng; admin: SandboxAdmin; baseline: Baseline },
): Spell {
  const { prng, admin, baseline } = context;
  const patch: WebhookPatch =
    fault === 'duplicate'
      ? { duplicateRate: prng.pick([0.3, 0.6, 1]) }
      : fault === 'reorder'
        ? { reorderWindowMs: prng.int(300, 2500) }
        : fault === 'drop'
          ? // Nothing sent while paused is ever sent: the vendor lost those events.
            { paused: true }
          : // Failed deliveries (a replica down or erring) come back seconds later, behind newer ones.
            { retryDelaysMs: [prng.int(1000, 3000), prng.int(3000, 6000), prng.int(6000, 10_000)] };
  const [key, value] = Object.entries(patch)[0] as [keyof WebhookPatch, unknown];
  const undo: WebhookPatch = { [key]: baseline.webhooks[system][key] };
  return {
    action: `webhooks:${system}:${key}=${Array.isArray(value) ? value.join(',') : String(value)}`,
    ms: spellMs(prng),
    apply: async () => void (await admin.webhooks(system, patch)),
    lift: async () => void (await admin.webhooks(system, undo)),
  };
}
