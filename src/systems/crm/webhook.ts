/**
 * HubSpot webhook deliveries → `ChangeEvent`s. Payloads are validated (zod) before anything
 * is applied: a delivery that does not parse is malformed (400) as a whole, and nothing of
 * it is published. Unknown event types are accepted and ignored, as vendors add types.
 */
import { z } from 'zod';
import type { ChangeAction, ChangeEvent, ChangeSource } from '../../changes/types.ts';
import { verifyHubSpot } from '../../webhooks/verify.ts';
import type { WebhookMapper } from '../system.ts';
import { crmFacts } from './facts.ts';

const hubspotEvent = z.looseObject({
  eventId: z.union([z.number(), z.string()]),
  portalId: z.union([z.number(), z.string()]).optional(),
  occurredAt: z.number(),
  subscriptionType: z.string(),
  objectTypeId: z.string().optional(),
  objectId: z.union([z.number(), z.string()]),
  propertyName: z.string().optional(),
  propertyValue: z.unknown().optional(),
  associationType: z.string().optional(),
  fromObjectId: z.union([z.number(), z.string()]).optional(),
  toObjectId: z.union([z.number(), z.string()]).optional(),
  associationRemoved: z.boolean().optional(),
});
export const hubspotPayload = z.array(hubspotEvent).min(1).max(1000);
export type HubSpotEvent = z.infer<typeof hubspotEvent>;

const HUBSPOT_TYPE_IDS: Record<string, string> = { '0-1': 'contact', '0-2': 'company', '0-3': 'deal' };
const HUBSPOT_ACTIONS: Record<string, ChangeAction> = {
  creation: 'created',
  propertyChange: 'updated',
  deletion: 'deleted',
  privacyDeletion: 'deleted',
  restore: 'created',
  merge: 'updated',
};

/**
 * One HubSpot delivery → one change per (record, action): an edit of three properties
 * arrives as three events in one batch, and subscribers should see one change. The change
 * is named after the batch's first event for that record (`hubspotDedupeKey`), which a
 * retry of the same batch repeats, so the feed's dedupe catches retries. For a property change, `previous`
 * lists the changed property names with unknown (null) values: HubSpot sends only the new value.
 */
export function hubspotChanges(events: readonly HubSpotEvent[], source: ChangeSource = 'webhook'): ChangeEvent[] {
  const byRecord = new Map<string, ChangeEvent>();
  for (const e of events) {
    const [prefix = '', kind = ''] = e.subscriptionType.split('.');
    const entity = prefix === 'object' ? HUBSPOT_TYPE_IDS[e.objectTypeId ?? ''] : prefix;
    if (!entity || !['contact', 'company', 'deal'].includes(entity)) continue;
    const id = String(e.objectId);
    let action = HUBSPOT_ACTIONS[kind];
    let related: ChangeEvent['related'];
    if (kind === 'associationChange') {
      action = e.associationRemoved ? 'unlinked' : 'linked';
      const to = /_TO_([A-Z]+)$/.exec(e.associationType ?? '')?.[1]?.toLowerCase();
      if (to && e.toObjectId !== undefined) related = { [`${to === 'company' ? 'company' : to}Ids`]: [String(e.toObjectId)] };
    }
    if (!action) continue;
    const key = `${entity}:${id}:${action}`;
    const existing = byRecord.get(key);
    if (existing) {
      if (e.propertyName) existing.previous = { ...existing.previous, [e.propertyName]: null };
      if (related) existing.related = mergeRelated(existing.related, related);
      existing.occurredAt = Math.max(existing.occurredAt, e.occurredAt);
      continue;
    }
    byRecord.set(key, {
      eventId: hubspotDedupeKey(e),
      system: 'crm',
      entity,
      id,
      action,
      ...(related ? { related } : {}),
      ...(e.propertyName ? { previous: { [e.propertyName]: null } } : {}),
      occurredAt: e.occurredAt,
      source,
    });
  }
  return [...byRecord.values()];
}

/**
 * What names one HubSpot event for de-duplication. HubSpot does not promise that `eventId`
 * is unique (it is a counter per app and portal), so a bare id would drop a new change
 * that happens to reuse one; a retry, though, repeats every field of the event but
 * `attemptNumber`. The key is the id together with what the event is about and when.
 */
export function hubspotDedupeKey(e: HubSpotEvent): string {
  return `hubspot:${e.portalId ?? 0}:${e.eventId}:${e.subscriptionType}:${e.objectId}:${e.propertyName ?? ''}:${e.occurredAt}`;
}

function mergeRelated(a: ChangeEvent['related'], b: NonNullable<ChangeEvent['related']>): ChangeEvent['related'] {
  const out: Record<string, string | readonly string[] | undefined> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prior = out[k];
    out[k] = Array.isArray(prior) && Array.isArray(v) ? [...new Set([...prior, ...v])] : v;
  }
  return out;
}

export const hubspotWebhook: WebhookMapper = {
  vendor: crmFacts.webhook.vendor,
  verify: (secret, request) =>
    verifyHubSpot(secret, {
      method: request.method,
      uri: request.signedUri,
      body: request.body,
      signature: request.header('x-hubspot-signature-v3'),
      timestamp: request.header('x-hubspot-request-timestamp'),
    }),
  map(json) {
    const parsed = hubspotPayload.safeParse(json);
    if (!parsed.success) return { malformed: 'expected a JSON array of HubSpot webhook events' };
    return { body: { ok: true }, changes: hubspotChanges(parsed.data) };
  },
};
