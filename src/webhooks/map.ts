/**
 * Vendor webhook payloads → `ChangeEvent`s. Payloads are validated (zod) before anything
 * is applied: a delivery that does not parse is malformed (400) as a whole, and nothing of
 * it is published. Unknown event types are accepted and ignored, as vendors add types.
 */
import { z } from 'zod';
import type { ChangeAction, ChangeEvent, ChangeSource } from '../changes/types.ts';
import { stripeEventSchema } from '../systems/billing/events.ts';

// ——— HubSpot ———

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

// ——— Stripe ———

export const stripeEvent = stripeEventSchema;
export type StripeEvent = z.infer<typeof stripeEvent>;

const idOf = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string'
      ? (value as { id: string }).id
      : undefined;

export function stripeChange(event: StripeEvent, source: ChangeSource = 'webhook'): ChangeEvent | null {
  const object = event.data.object as Record<string, unknown> & { id: string; object: string };
  const entity = object.object;
  if (!['customer', 'invoice', 'subscription', 'charge', 'payment_intent'].includes(entity)) return null;
  const verb = event.type.slice(event.type.lastIndexOf('.') + 1);
  const action: ChangeAction = verb === 'created' ? 'created' : verb === 'deleted' ? 'deleted' : 'updated';
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const previous = event.data.previous_attributes;
  const previousMetadata = (previous?.metadata ?? {}) as Record<string, unknown>;
  return {
    eventId: event.id,
    system: 'billing',
    entity,
    id: object.id,
    action,
    related: {
      customerId: entity === 'customer' ? object.id : idOf(object.customer),
      contactId: typeof metadata.hubspot_contact_id === 'string' ? metadata.hubspot_contact_id : undefined,
      email: typeof object.email === 'string' ? object.email : undefined,
      previousContactId: typeof previousMetadata.hubspot_contact_id === 'string' ? previousMetadata.hubspot_contact_id : undefined,
      previousEmail: typeof previous?.email === 'string' ? previous.email : undefined,
      subscriptionId: idOf(object.subscription),
    },
    record: object,
    ...(previous ? { previous } : {}),
    occurredAt: event.created * 1000,
    source,
  };
}

// ——— Slack ———

export const slackEnvelope = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string().min(1).max(1000) }),
  z.looseObject({
    type: z.literal('event_callback'),
    event_id: z.string().min(1),
    event_time: z.number(),
    team_id: z.string().optional(),
    event: z.looseObject({ type: z.string() }),
  }),
  z.looseObject({ type: z.literal('app_rate_limited') }),
]);
export type SlackEnvelope = z.infer<typeof slackEnvelope>;

export function slackChange(envelope: Extract<SlackEnvelope, { type: 'event_callback' }>): ChangeEvent | null {
  const e = envelope.event as Record<string, unknown> & { type: string };
  // `event_id` with the team and `event_time`: a retry repeats the envelope exactly, and a
  // reused id (an app reinstalled, a replayed sandbox) at another time is another change.
  const base = {
    eventId: `slack:${envelope.team_id ?? ''}:${envelope.event_id}:${envelope.event_time}`,
    system: 'chat' as const,
    occurredAt: envelope.event_time * 1000,
    source: 'webhook' as const,
  };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  switch (e.type) {
    case 'message': {
      const channel = str(e.channel);
      if (!channel) return null;
      const inner = (e.message ?? {}) as Record<string, unknown>;
      if (e.subtype === 'message_changed')
        return { ...base, entity: 'message', id: `${channel}:${str(inner.ts)}`, action: 'updated', related: { channel }, record: inner };
      if (e.subtype === 'message_deleted')
        return { ...base, entity: 'message', id: `${channel}:${str(e.deleted_ts)}`, action: 'deleted', related: { channel } };
      const ts = str(e.ts);
      if (!ts) return null;
      return {
        ...base,
        entity: 'message',
        id: `${channel}:${ts}`,
        action: 'created',
        related: { channel, threadTs: str(e.thread_ts), user: str(e.user) },
        record: e,
      };
    }
    case 'user_change':
    case 'team_join': {
      const user = (e.user ?? {}) as Record<string, unknown>;
      const id = str(user.id);
      if (!id) return null;
      const profile = (user.profile ?? {}) as Record<string, unknown>;
      return {
        ...base,
        entity: 'user',
        id,
        action: e.type === 'team_join' ? 'created' : 'updated',
        related: { email: str(profile.email) },
        record: user,
      };
    }
    case 'channel_created':
    case 'channel_rename':
    case 'channel_archive':
    case 'channel_unarchive':
    case 'member_joined_channel': {
      const id = str(e.channel) ?? str((e.channel as { id?: unknown } | undefined)?.id);
      if (!id) return null;
      const action: ChangeAction = e.type === 'channel_created' ? 'created' : e.type === 'member_joined_channel' ? 'linked' : 'updated';
      return { ...base, entity: 'channel', id, action, ...(e.type === 'member_joined_channel' ? { related: { user: str(e.user) } } : {}) };
    }
    default:
      return null;
  }
}
