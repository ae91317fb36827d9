/**
 * Live data on one gateway: the sandbox delivers real, signed webhooks over HTTP to the
 * gateway's receivers; subscribers read over SSE. Asserts what reaches subscribers, what a
 * query returns right after, and what forged or repeated deliveries cause.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubspotV3Signature, SANDBOX_WEBHOOK_SECRETS, slackSignature, stripeSignatureHeader } from '@switchboard/sandbox';
import { type FeedRecording, recordFeed, registerWebhooks, sandboxAdmin, serve, sleep, subscribeSse, type Served } from './support/live.ts';
import { startStack, type Stack } from './support/stack.ts';

/** A Stripe `customer.updated` event body. */
function customerUpdated(id: string, customer: { id: string; email: string | null }, created: number): string {
  return JSON.stringify({
    id,
    object: 'event',
    type: 'customer.updated',
    created,
    data: { object: { id: customer.id, object: 'customer', email: customer.email } },
  });
}

/** Posts a Slack event callback for channel C1, signed as the sandbox signs it. */
function postSlack(gatewayUrl: string, eventId: string, now: number, ts: string, headers: Record<string, string> = {}) {
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    event_id: eventId,
    event_time: now,
    event: { type: 'message', channel: 'C1', user: 'U1', text: 'hi', ts },
  });
  return fetch(`${gatewayUrl}/webhooks/slack`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-signature': slackSignature(SANDBOX_WEBHOOK_SECRETS.slackSigningSecret, body, now),
      'x-slack-request-timestamp': String(now),
      ...headers,
    },
    body,
  });
}

/** Waits (polling the sandbox's log) until every one of `ids` was answered 200 `times` times. */
async function deliveredOk(stack: Stack, system: 'crm' | 'billing', ids: string[], times = 1): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const log = (await sandboxAdmin(stack.sandbox, system, 'webhooks', undefined, 'GET')).deliveries as { ids: string[]; status: number }[];
    const ok = log.filter((d) => d.status === 200).flatMap((d) => d.ids);
    if (ids.every((id) => ok.filter((x) => x === id).length >= times)) return;
    await sleep(20);
  }
  throw new Error(`the sandbox did not deliver ${system} events ${ids.join(', ')}`);
}

interface ContactPayload {
  contactChanged: { id: string; firstName: string | null; billingCustomer: { id: string } | null };
}

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await sleep(20);
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('webhooks from the sandbox reach subscribers and keep the cache true', () => {
  let stack: Stack;
  let served: Served;
  let feed: FeedRecording;

  beforeAll(async () => {
    stack = await startStack({ env: { SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'live-')) } });
    served = await serve(stack.gateway);
    await registerWebhooks(stack.sandbox, served.url);
    feed = recordFeed(stack.gateway.changes);
  });
  afterAll(async () => {
    feed?.stop();
    await served?.close();
    await stack?.close();
  });

  it('delivers an admin edit of a contact to an SSE subscriber by webhook, with linked billing fields; the next query reads the new value', async () => {
    const customer = stack.sandbox.world.customers.find((c) => c.contactId && c.linkedByMetadata)!;
    const id = customer.contactId!;
    const before = await stack.query<{ contact: { firstName: string } }>('query ($id: ID!) { contact(id: $id) { id firstName } }', { id });
    expect(before.errors).toBeUndefined();
    // Served from cache now: a stale read would show the old name below.
    const subscription = await subscribeSse<ContactPayload>(
      served.url,
      'subscription ($id: ID) { contactChanged(id: $id) { id firstName billingCustomer { id } } }',
      { id },
    );
    try {
      const started = Date.now();
      await sandboxAdmin(stack.sandbox, 'crm', 'edit', { objectType: 'contacts', id, properties: { firstname: 'Webhooked' } });
      // The webhook is the only path from the edit to the subscriber: nothing here reads the
      // contact meanwhile. How fast it comes is the bench's to measure, not a busy test run's.
      const event = await subscription.nth(1, 10_000);
      console.log(`admin edit to SSE event: ${Date.now() - started} ms`);
      expect(event.errors).toBeUndefined();
      expect(event.data!.contactChanged).toEqual({ id, firstName: 'Webhooked', billingCustomer: { id: customer.id } });
      const after = await stack.query<{ contact: { firstName: string } }>('query ($id: ID!) { contact(id: $id) { id firstName } }', { id });
      expect(after.data!.contact.firstName).toBe('Webhooked');
    } finally {
      subscription.close();
    }
  });

  it('answers 401 to a forged or stale signature and 400 to a malformed body, and publishes nothing', async () => {
    const published = feed.events;
    published.length = 0;
    const body = JSON.stringify({
      id: 'evt_forged1',
      object: 'event',
      type: 'customer.updated',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'cus_x', object: 'customer' } },
    });
    const post = (path: string, headers: Record<string, string>, payload = body) =>
      fetch(`${served.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
    const now = Math.floor(Date.now() / 1000);
    const forged = await post('/webhooks/stripe', { 'stripe-signature': stripeSignatureHeader('whsec_wrong', body, now) });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect((await post('/webhooks/stripe', {})).status).toBe(401);
    expect(
      (
        await post('/webhooks/stripe', {
          'stripe-signature': stripeSignatureHeader(SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret, body, now - 600),
        })
      ).status,
    ).toBe(401);
    const hubspotTs = Date.now();
    const hubspotBody = JSON.stringify([{ eventId: 1, occurredAt: hubspotTs, subscriptionType: 'contact.propertyChange', objectId: 1 }]);
    expect(
      (
        await post(
          '/webhooks/hubspot',
          {
            'x-hubspot-signature-v3': hubspotV3Signature('wrong', 'POST', `${served.url}/webhooks/hubspot`, hubspotBody, hubspotTs),
            'x-hubspot-request-timestamp': String(hubspotTs),
          },
          hubspotBody,
        )
      ).status,
    ).toBe(401);
    expect(
      (await post('/webhooks/slack', { 'x-slack-signature': slackSignature('wrong', body, now), 'x-slack-request-timestamp': String(now) }))
        .status,
    ).toBe(401);
    const notAnEvent = '{"hello":"world"}';
    const malformed = await post(
      '/webhooks/stripe',
      { 'stripe-signature': stripeSignatureHeader(SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret, notAnEvent, now) },
      notAnEvent,
    );
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('BAD_USER_INPUT');
    // A sentinel: a valid delivery after them. Stripe and HubSpot publish before answering, and
    // Slack decides (and claims) before answering, so anything they published is ahead of it.
    const customer = stack.sandbox.world.customers[1];
    const sentinel = customerUpdated('evt_sentinel_forged', customer, now);
    const valid = await post(
      '/webhooks/stripe',
      { 'stripe-signature': stripeSignatureHeader(SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret, sentinel, now) },
      sentinel,
    );
    expect(valid.status).toBe(200);
    await feed.until((events) => events.some((e) => e.eventId === 'evt_sentinel_forged'), 'the sentinel');
    expect(published.map((e) => e.eventId)).toEqual(['evt_sentinel_forged']);
  });

  it('publishes a webhook delivered twice (and a Slack retry) once', async () => {
    const published = feed.events;
    published.length = 0;
    const now = Math.floor(Date.now() / 1000);
    const customer = stack.sandbox.world.customers[0];
    const body = customerUpdated('evt_duplicate1', customer, now);
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${served.url}/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': stripeSignatureHeader(SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret, body, now),
        },
        body,
      });
      expect(response.status).toBe(200);
    }
    for (const retry of ['', '1', '2']) {
      const retryHeaders: Record<string, string> = retry ? { 'x-slack-retry-num': retry, 'x-slack-retry-reason': 'http_timeout' } : {};
      const response = await postSlack(served.url, 'EvDUPLICATE', now, `${now}.000100`, retryHeaders);
      expect(response.status).toBe(200);
    }
    // A sentinel through the same receiver: Slack is answered first, but each delivery is
    // claimed (and, with the memory transport, published) before it is answered, so the
    // retries are decided ahead of it.
    expect((await postSlack(served.url, 'EvSENTINEL', now, `${now}.000200`)).status).toBe(200);
    const sentinel = `slack:T1:EvSENTINEL:${now}`;
    await feed.until((events) => events.some((e) => e.eventId === sentinel), 'the sentinel');
    const beforeSentinel = published.map((e) => e.eventId).filter((id) => id !== sentinel);
    expect(published.at(-1)?.eventId).toBe(sentinel);
    expect(beforeSentinel.sort()).toEqual(['evt_duplicate1', `slack:T1:EvDUPLICATE:${now}`]);
  });

  it('delivers a Stripe change once to the subscriber when the sandbox sends every webhook twice', async () => {
    await fetch(`${stack.sandbox.urls.billing}/__sandbox/webhooks`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ duplicateRate: 1 }),
    });
    try {
      const invoices = await stack.query<{ invoices: { nodes: { id: string; status: string; customer: { id: string } | null }[] } }>(
        '{ invoices(first: 100) { nodes { id status customer { id } } } }',
      );
      expect(invoices.errors).toBeUndefined();
      const nodes = invoices.data!.invoices.nodes;
      // One with another invoice of the same customer: that one's change is the sentinel below.
      const open = nodes.find(
        (i) => i.status === 'OPEN' && i.customer && nodes.some((o) => o.id !== i.id && o.customer?.id === i.customer?.id),
      )!;
      const other = nodes.find((o) => o.id !== open.id && o.customer?.id === open.customer!.id)!;
      const subscription = await subscribeSse<{ invoiceStatusChanged: { id: string; status: string } }>(
        served.url,
        'subscription ($c: ID) { invoiceStatusChanged(customerId: $c) { id status } }',
        { c: open.customer!.id },
      );
      try {
        const edit = await sandboxAdmin(stack.sandbox, 'billing', 'edit', { object: 'invoice', id: open.id, action: 'pay_out_of_band' });
        const evtIds = (edit.events as { id: string; type: string }[]).filter((e) => e.type.startsWith('invoice.')).map((e) => e.id);
        expect(evtIds.length).toBeGreaterThan(0);
        const first = await subscription.nth(1, 2000);
        expect(first.data!.invoiceStatusChanged).toEqual({ id: open.id, status: 'PAID' });
        // Stripe is answered after publishing: once each event was answered twice, the feed has
        // had both copies.
        await deliveredOk(stack, 'billing', evtIds, 2);
        // A sentinel after them on the subscriber's ordered stream (events are resolved one by
        // one): a second copy fanned out would reach the subscriber before it.
        await stack.gateway.changes.publish({
          eventId: 'sentinel-invoice',
          system: 'billing',
          entity: 'invoice',
          id: other.id,
          action: 'updated',
          related: { customerId: open.customer!.id },
          previous: { status: other.status.toLowerCase() },
          occurredAt: Date.now(),
          source: 'gateway',
        });
        await waitUntil(() => subscription.received.some((r) => r.data?.invoiceStatusChanged.id === other.id), 'the sentinel');
        expect(subscription.received.at(-1)!.data!.invoiceStatusChanged.id).toBe(other.id);
        const log = (await sandboxAdmin(stack.sandbox, 'billing', 'webhooks', undefined, 'GET')).deliveries as {
          ids: string[];
          status: number;
        }[];
        const delivered = log.filter((d) => d.ids.some((id) => evtIds.includes(id)) && d.status === 200);
        // Every event went out twice; each invoice event reached the subscriber once.
        expect(delivered.length).toBe(evtIds.length * 2);
        const ours = feed.events.filter((e) => evtIds.includes(e.eventId));
        expect(new Set(ours.map((e) => e.eventId)).size).toBe(ours.length);
        const statusChanges = ours.filter(
          (e) => e.entity === 'invoice' && (e.action === 'created' || !e.previous || 'status' in e.previous),
        );
        expect(subscription.received.length - 1).toBe(statusChanges.length);
      } finally {
        subscription.close();
      }
    } finally {
      await fetch(`${stack.sandbox.urls.billing}/__sandbox/webhooks`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ duplicateRate: 0 }),
      });
    }
  });

  it('passes the Slack url_verification handshake and delivers a posted message to a messagePosted subscriber', async () => {
    const channels = await stack.query<{ channels: { nodes: { id: string }[] } }>('{ channels(first: 5) { nodes { id } } }');
    expect(channels.errors).toBeUndefined();
    const channel = channels.data!.channels.nodes[0].id;
    const subscription = await subscribeSse<{ messagePosted: { ts: string; text: string } }>(
      served.url,
      'subscription ($c: ID!) { messagePosted(channel: $c) { ts text } }',
      { c: channel },
    );
    try {
      const edit = await sandboxAdmin(stack.sandbox, 'chat', 'edit', { kind: 'message', channel, text: 'live from Slack' });
      const event = await subscription.nth(1, 2000);
      expect(event.errors).toBeUndefined();
      expect(event.data!.messagePosted).toEqual({ ts: (edit.object as { ts: string }).ts, text: 'live from Slack' });
    } finally {
      subscription.close();
    }
  });

  it('sends dealStageChanged for a stage move but not for a change of another deal property', async () => {
    const deal = stack.sandbox.world.deals[0];
    const subscription = await subscribeSse<{ dealStageChanged: { id: string; stageRaw: string } }>(
      served.url,
      'subscription ($id: ID) { dealStageChanged(id: $id) { id stageRaw } }',
      { id: deal.id },
    );
    try {
      const rename = await sandboxAdmin(stack.sandbox, 'crm', 'edit', {
        objectType: 'deals',
        id: deal.id,
        properties: { dealname: 'Renamed only' },
      });
      // HubSpot is answered after publishing: once the rename was answered, the feed had it
      // before the stage move below was made.
      await deliveredOk(
        stack,
        'crm',
        (rename.events as { eventId: number }[]).map((e) => String(e.eventId)),
      );
      expect(subscription.received).toHaveLength(0);
      await sandboxAdmin(stack.sandbox, 'crm', 'edit', { objectType: 'deals', id: deal.id, properties: { dealstage: 'closedwon' } });
      const event = await subscription.nth(1, 2000);
      expect(event.errors).toBeUndefined();
      expect(event.data!.dealStageChanged.id).toBe(deal.id);
      expect(event.data!.dealStageChanged.stageRaw).toBe('closedwon');
      // A sentinel stage move: the subscriber's events arrive in order, so an event for the
      // rename would be ahead of it, and the stage move's own event is resolved already.
      await sandboxAdmin(stack.sandbox, 'crm', 'edit', { objectType: 'deals', id: deal.id, properties: { dealstage: 'closedlost' } });
      await subscription.nth(2, 5000);
      expect(subscription.received.map((r) => r.data?.dealStageChanged.stageRaw)).toEqual(['closedwon', 'closedlost']);
    } finally {
      subscription.close();
    }
  });
});
