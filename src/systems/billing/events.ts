/**
 * Stripe events (`GET /v1/events`): the account's own change feed, kept 30 days. The
 * catch-up after downtime reads it with `created[gte]`, since webhooks missed while the
 * gateway was down are not redelivered in time (Stripe's test mode retries only a few
 * times over hours). Newest first, `limit` ≤ 100, paged with `starting_after`.
 */
import { z } from 'zod';
import type { UpstreamClient } from '../../upstream/types.ts';

export const stripeEventSchema = z.looseObject({
  id: z.string().regex(/^evt_\w+$/),
  object: z.literal('event'),
  type: z.string(),
  created: z.number(),
  data: z.looseObject({
    object: z.looseObject({ id: z.string(), object: z.string() }),
    previous_attributes: z.record(z.string(), z.unknown()).optional(),
  }),
  request: z.looseObject({ id: z.string().nullable().optional(), idempotency_key: z.string().nullable().optional() }).nullable().optional(),
});
export type StripeEventObject = z.infer<typeof stripeEventSchema>;

const eventList = z.looseObject({ object: z.literal('list'), data: z.array(stripeEventSchema), has_more: z.boolean() });

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
    events.push(...page.data);
    if (!page.has_more || page.data.length === 0 || events.length >= max) break;
    startingAfter = page.data[page.data.length - 1].id;
  }
  return events.reverse();
}
