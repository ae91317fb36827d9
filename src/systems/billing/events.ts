/**
 * Stripe events (`GET /v1/events`): the account's own change feed, kept 30 days. The
 * catch-up after downtime reads it with `created[gte]`, since webhooks missed while the
 * gateway was down are not redelivered in time (Stripe's test mode retries only a few
 * times over hours). Newest first, `limit` ≤ 100, paged with `starting_after`.
 */
import { z } from 'zod';
import { GatewayError } from '../../errors.ts';
import type { UpstreamClient } from '../../upstream/types.ts';
import { STRIPE_API_VERSION } from './profile.ts';

export const stripeEventSchema = z.looseObject({
  id: z.string().regex(/^evt_\w+$/),
  object: z.literal('event'),
  /** The version `data` is rendered in: the account's default (or the webhook endpoint's) when the event was created. */
  api_version: z.string().nullish(),
  type: z.string(),
  created: z.number(),
  data: z.looseObject({
    object: z.looseObject({ id: z.string(), object: z.string() }),
    previous_attributes: z.record(z.string(), z.unknown()).optional(),
  }),
  request: z.looseObject({ id: z.string().nullable().optional(), idempotency_key: z.string().nullable().optional() }).nullable().optional(),
});
export type StripeEventObject = z.infer<typeof stripeEventSchema>;

export const SHOWABLE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/**
 * Why an event's data cannot be read, or null when it can. Stripe renders an event in the
 * version it was created in, whatever the request's `Stripe-Version` (docs.stripe.com/api/events/list):
 * after the account's default version changes, its events read differently (a basil
 * invoice has no `subscription`), so an event in another version is refused, never mapped.
 * An event that names no version (events before 2014-10-31, hand-made test events) is read:
 * the mapper only reads ids and `metadata`.
 */
export function eventVersionProblem(event: Pick<StripeEventObject, 'id' | 'api_version'>): string | null {
  const version = event.api_version;
  if (version === undefined || version === null || version === STRIPE_API_VERSION) return null;
  const shown = SHOWABLE_VERSION.test(version) ? version : '(unreadable)';
  return `event ${event.id} is rendered in Stripe API version ${shown}; the connector reads ${STRIPE_API_VERSION}`;
}

export const eventList = z.looseObject({ object: z.literal('list'), data: z.array(stripeEventSchema), has_more: z.boolean() });

/** Every event created at or after `sinceSeconds`, oldest first (at most `max`). */
export async function listEventsSince(http: UpstreamClient, sinceSeconds: number, max = 10_000): Promise<StripeEventObject[]> {
  const events: StripeEventObject[] = [];
  let startingAfter: string | undefined;
  for (;;) {
    const response = await http.request({
      method: 'GET',
      path: '/v1/events',
      route: 'GET /v1/events',
      query: { 'created[gte]': String(sinceSeconds), limit: '100', ...(startingAfter ? { starting_after: startingAfter } : {}) },
      idempotent: true,
    });
    const page = eventList.parse(response.body);
    // Stopping here keeps the cursor before the event: the next catch-up (after the connector
    // learns that version, or the account's default is set back) reads it again, nothing is skipped.
    const unreadable = page.data.map(eventVersionProblem).find((problem) => problem !== null);
    if (unreadable) {
      throw new GatewayError('UPSTREAM_BAD_RESPONSE', `Stripe's event list cannot be caught up: ${unreadable}`, { service: 'billing' });
    }
    events.push(...page.data);
    if (!page.has_more || page.data.length === 0 || events.length >= max) break;
    startingAfter = page.data[page.data.length - 1].id;
  }
  return events.reverse();
}
