/**
 * Live data on one gateway: the sandbox delivers real, signed webhooks over HTTP to the
 * gateway's receivers; subscribers read over SSE. Asserts what reaches subscribers, what a
 * query returns right after, and what forged or repeated deliveries cause.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../src/changes/types.ts';
import { hubspotV3Signature, SANDBOX_WEBHOOK_SECRETS, slackSignature, stripeSignatureHeader } from '@switchboard/sandbox';
import { registerWebhooks, sandboxAdmin, serve, sleep, subscribeSse, type Served } from './support/live.ts';
import { startStack, type Stack } from './support/stack.ts';

interface ContactPayload {
  contactChanged: { id: string; firstName: string | null; billingCustomer: { id: string } | null };
}

describe('webhooks from the sandbox reach subscribers and keep the cache true', () => {
  let stack: Stack;
  let served: Served;
  const published: ChangeEvent[] = [];
  const feedListener = new AbortController();

  beforeAll(async () => {
    stack = await startStack({ env: { SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'live-')) } });
    served = await serve(stack.gateway);
    await registerWebhooks(stack.sandbox, served.url);
    void (async () => {
      for await (const event of stack.gateway.changes.subscribe(feedListener.signal)) published.push(event);
    })().catch(() => undefined);
  });
  afterAll(async () => {
    feedListener.abort();
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
    await sleep(200);
    expect(published).toEqual([]);
  });

  it('publishes a webhook delivered twice (and a Slack retry) once', async () => {
    published.length = 0;
    const now = Math.floor(Date.now() / 1000);
    const customer = stack.sandbox.world.customers[0];
    const body = JSON.stringify({
      id: 'evt_duplicate1',
      object: 'event',
      type: 'customer.updated',
      created: now,
      data: { object: { id: customer.id, object: 'customer', email: customer.email } },
    });
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
    const slackBody = JSON.stringify({
      type: 'event_callback',
      team_id: 'T1',
      event_id: 'EvDUPLICATE',
      event_time: now,
      event: { type: 'message', channel: 'C1', user: 'U1', text: 'hi', ts: `${now}.000100` },
    });
    for (const retry of ['', '1', '2']) {
      const response = await fetch(`${served.url}/webhooks/slack`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-slack-signature': slackSignature(SANDBOX_WEBHOOK_SECRETS.slackSigningSecret, slackBody, now),
          'x-slack-request-timestamp': String(now),
          ...(retry ? { 'x-slack-retry-num': retry, 'x-slack-retry-reason': 'http_timeout' } : {}),
        },
        body: slackBody,
      });
      expect(response.status).toBe(200);
    }
    await sleep(200);
    expect(published.map((e) => e.eventId).sort()).toEqual(['evt_duplicate1', `slack:T1:EvDUPLICATE:${now}`]);
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
      const open = invoices.data!.invoices.nodes.find((i) => i.status === 'OPEN' && i.customer)!;
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
        await sleep(500);
        const log = (await sandboxAdmin(stack.sandbox, 'billing', 'webhooks', undefined, 'GET')).deliveries as {
          ids: string[];
          status: number;
        }[];
        const delivered = log.filter((d) => d.ids.some((id) => evtIds.includes(id)) && d.status === 200);
        // Every event went out twice; each invoice event reached the subscriber once.
        expect(delivered.length).toBe(evtIds.length * 2);
        const ours = published.filter((e) => evtIds.includes(e.eventId));
        expect(new Set(ours.map((e) => e.eventId)).size).toBe(ours.length);
        const statusChanges = ours.filter(
          (e) => e.entity === 'invoice' && (e.action === 'created' || !e.previous || 'status' in e.previous),
        );
        expect(subscription.received.length).toBe(statusChanges.length);
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
      await sandboxAdmin(stack.sandbox, 'crm', 'edit', { objectType: 'deals', id: deal.id, properties: { dealname: 'Renamed only' } });
      await sleep(300);
      expect(subscription.received).toHaveLength(0);
      await sandboxAdmin(stack.sandbox, 'crm', 'edit', { objectType: 'deals', id: deal.id, properties: { dealstage: 'closedwon' } });
      const event = await subscription.nth(1, 2000);
      expect(event.errors).toBeUndefined();
      expect(event.data!.dealStageChanged.id).toBe(deal.id);
      expect(event.data!.dealStageChanged.stageRaw).toBe('closedwon');
    } finally {
      subscription.close();
    }
  });
});
