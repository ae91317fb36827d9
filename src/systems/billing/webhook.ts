/**
 * Stripe webhook deliveries (and the events catch-up reads) → `ChangeEvent`s. An Event that
 * does not parse is malformed (400); unknown object types are accepted and ignored.
 *
 * An Event rendered in another API version than the connector's (its `api_version`: the
 * webhook endpoint's version, else the account default when the event was created) is
 * refused like a malformed one: 400, nothing published, and the receiver logs the reason,
 * which names the event and both versions. Not a 2xx, because a 2xx would tell Stripe the
 * event was taken and drop it: refused, it stays a failed delivery that Stripe retries (for
 * up to three days) and shows on the endpoint, and the cursor of the catch-up does not move
 * past it. Fixing the endpoint's API version is the operator's move; the log says so.
 */
import type { z } from 'zod';
import type { ChangeAction, ChangeEvent, ChangeSource } from '../../changes/types.ts';
import { HUBSPOT_CONTACT_METADATA_KEY } from '../../links/contact-customer.ts';
import { verifyStripe } from '../../webhooks/verify.ts';
import type { WebhookMapper } from '../system.ts';
import { eventVersionProblem, stripeEventSchema } from './events.ts';
import { billingFacts } from './facts.ts';
import { STRIPE_API_VERSION } from './profile.ts';

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
      contactId: typeof metadata[HUBSPOT_CONTACT_METADATA_KEY] === 'string' ? metadata[HUBSPOT_CONTACT_METADATA_KEY] : undefined,
      email: typeof object.email === 'string' ? object.email : undefined,
      previousContactId:
        typeof previousMetadata[HUBSPOT_CONTACT_METADATA_KEY] === 'string' ? previousMetadata[HUBSPOT_CONTACT_METADATA_KEY] : undefined,
      previousEmail: typeof previous?.email === 'string' ? previous.email : undefined,
      subscriptionId: idOf(object.subscription),
    },
    record: object,
    ...(previous ? { previous } : {}),
    occurredAt: event.created * 1000,
    source,
  };
}

export const stripeWebhook: WebhookMapper = {
  vendor: billingFacts.webhook.vendor,
  verify: (secret, request) => verifyStripe(secret, request.header('stripe-signature'), request.body),
  map(json) {
    const parsed = stripeEvent.safeParse(json);
    if (!parsed.success) return { malformed: 'expected a Stripe Event object' };
    const unreadable = eventVersionProblem(parsed.data);
    if (unreadable) return { malformed: `${unreadable}: not applied; set the webhook endpoint's API version to ${STRIPE_API_VERSION}` };
    const change = stripeChange(parsed.data);
    return { body: { received: true }, changes: change ? [change] : [] };
  },
};
