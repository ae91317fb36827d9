/**
 * Billing behaviour end to end: invoice lines through invoice items, the invoice lifecycle
 * and its payment trail, subscriptions, the Event log, admin edits (which go through the
 * same write path and the same `events` emitter), reset and deterministic seeding.
 */
import type { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingChange } from '../src/billing/index.ts';
import { createBillingEmulator } from '../src/billing/index.ts';
import { createWorld } from '../src/world.ts';
import { type BillingHarness, startBilling } from './billing-helpers.ts';

let h: BillingHarness;

beforeAll(async () => {
  h = await startBilling({ knobs: { searchLagMs: 0 } });
});

afterAll(async () => {
  await h?.close();
});

const newCustomer = async (email: string) => (await h.call('POST', '/v1/customers', { form: { email } })).body.id as string;
const newDraft = async (customer: string) => (await h.call('POST', '/v1/invoices', { form: { customer } })).body.id as string;
const addItem = async (customer: string, invoice: string, form: Record<string, string>) =>
  h.call('POST', '/v1/invoiceitems', { form: { customer, invoice, ...form } });
const invoice = async (id: string) => (await h.call('GET', `/v1/invoices/${id}`)).body;
/** Event types since (and excluding) `afterId`, oldest first. */
async function eventsSince(
  afterId: string | undefined,
): Promise<{ type: string; data: { object: { id: string }; previous_attributes?: Record<string, unknown> }; request: unknown }[]> {
  const res = await h.call('GET', `/v1/events?limit=100${afterId ? `&ending_before=${afterId}` : ''}`);
  return [...res.body.data].reverse();
}
const latestEventId = async () => (await h.call('GET', '/v1/events?limit=1')).body.data[0]?.id as string | undefined;

describe('invoice lines', () => {
  it('adds each invoice item as a line and moves subtotal, total, amount_due and amount_remaining', async () => {
    const c = await newCustomer('lines@example.com');
    const inv = await newDraft(c);
    expect(await invoice(inv)).toMatchObject({ status: 'draft', subtotal: 0, total: 0, amount_due: 0, amount_remaining: 0, number: null });
    const a = await addItem(c, inv, { amount: '2500', currency: 'usd', description: 'Setup' });
    expect(a.body).toMatchObject({ object: 'invoiceitem', amount: 2500, invoice: inv, quantity: 1, description: 'Setup' });
    const b = await addItem(c, inv, { price: 'price_support_hour', quantity: '3', 'metadata[ticket]': 'T-1' });
    expect(b.body).toMatchObject({ amount: 45000, quantity: 3, unit_amount: 15000, metadata: { ticket: 'T-1' } });
    const after = await invoice(inv);
    expect(after).toMatchObject({ subtotal: 47500, total: 47500, amount_due: 47500, amount_remaining: 47500 });
    expect(after.lines.data.map((l: { invoice_item: string; type: string; amount: number }) => [l.invoice_item, l.type, l.amount])).toEqual(
      [
        [a.body.id, 'invoiceitem', 2500],
        [b.body.id, 'invoiceitem', 45000],
      ],
    );
    expect(after.lines.total_count).toBe(2);

    await h.call('POST', `/v1/invoiceitems/${b.body.id}`, { form: { quantity: '1' } });
    expect((await invoice(inv)).total).toBe(17500);
    expect((await h.call('DELETE', `/v1/invoiceitems/${a.body.id}`)).body).toEqual({ id: a.body.id, object: 'invoiceitem', deleted: true });
    const final = await invoice(inv);
    expect(final.total).toBe(15000);
    expect(final.lines.data).toHaveLength(1);
  });

  it('pages an invoice with many lines through /lines', async () => {
    const c = await newCustomer('many@example.com');
    const inv = await newDraft(c);
    for (let i = 0; i < 13; i++) await addItem(c, inv, { amount: String(100 + i), currency: 'usd' });
    const got = await invoice(inv);
    expect(got.lines.data).toHaveLength(10);
    expect(got.lines.has_more).toBe(true);
    const page2 = await h.call('GET', `/v1/invoices/${inv}/lines?limit=10&starting_after=${got.lines.data[9].id}`);
    expect(page2.body.data.map((l: { amount: number }) => l.amount)).toEqual([110, 111, 112]);
    expect(page2.body.has_more).toBe(false);
  });

  it('attaches pending items when the invoice asks for them', async () => {
    const c = await newCustomer('pending@example.com');
    const item = (await h.call('POST', '/v1/invoiceitems', { form: { customer: c, amount: '800', currency: 'usd' } })).body;
    expect(item.invoice).toBeNull();
    const inv = (await h.call('POST', '/v1/invoices', { form: { customer: c, pending_invoice_items_behavior: 'include' } })).body;
    expect(inv.total).toBe(800);
    expect((await h.call('GET', `/v1/invoiceitems/${item.id}`)).body.invoice).toBe(inv.id);
  });
});

describe('invoice lifecycle', () => {
  it('finalizes with a number and a payment intent, then pays with a charge', async () => {
    const c = await newCustomer('life@example.com');
    const inv = await newDraft(c);
    await addItem(c, inv, { amount: '9900', currency: 'usd' });
    const mark = await latestEventId();
    const open = (await h.call('POST', `/v1/invoices/${inv}/finalize`)).body;
    expect(open).toMatchObject({ status: 'open', amount_remaining: 9900, attempted: false });
    expect(open.number).toMatch(/-0001$/);
    expect(open.status_transitions.finalized_at).toEqual(expect.any(Number));
    expect(open.hosted_invoice_url).toMatch(/^https:\/\/invoice\.stripe\.com\//);
    const pi = (await h.call('GET', `/v1/payment_intents/${open.payment_intent}`)).body;
    expect(pi).toMatchObject({ status: 'requires_payment_method', amount: 9900, invoice: inv, customer: c });

    const paid = (await h.call('POST', `/v1/invoices/${inv}/pay`)).body;
    expect(paid).toMatchObject({
      status: 'paid',
      paid: true,
      amount_paid: 9900,
      amount_remaining: 0,
      attempt_count: 1,
      payment_intent: open.payment_intent,
    });
    expect(paid.status_transitions.paid_at).toEqual(expect.any(Number));
    expect((await h.call('GET', `/v1/payment_intents/${paid.payment_intent}`)).body).toMatchObject({
      status: 'succeeded',
      amount_received: 9900,
      latest_charge: paid.charge,
    });
    expect((await h.call('GET', `/v1/charges/${paid.charge}`)).body).toMatchObject({
      status: 'succeeded',
      paid: true,
      captured: true,
      amount: 9900,
      invoice: inv,
      payment_intent: paid.payment_intent,
    });

    const types = (await eventsSince(mark)).map((e) => e.type);
    expect(types).toEqual([
      'payment_intent.created',
      'invoice.finalized',
      'invoice.updated',
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
      'invoice.updated',
    ]);
  });

  it('marks a zero-total invoice paid at finalization', async () => {
    const c = await newCustomer('zero@example.com');
    const inv = await newDraft(c);
    const res = (await h.call('POST', `/v1/invoices/${inv}/finalize`)).body;
    expect(res).toMatchObject({ status: 'paid', total: 0, payment_intent: null, charge: null });
    expect(res.status_transitions.paid_at).toEqual(expect.any(Number));
  });

  it('voids an open invoice and cancels its payment intent', async () => {
    const c = await newCustomer('void@example.com');
    const inv = await newDraft(c);
    await addItem(c, inv, { amount: '100', currency: 'usd' });
    const open = (await h.call('POST', `/v1/invoices/${inv}/finalize`)).body;
    const voided = (await h.call('POST', `/v1/invoices/${inv}/void`)).body;
    expect(voided.status).toBe('void');
    expect(voided.status_transitions.voided_at).toEqual(expect.any(Number));
    expect((await h.call('GET', `/v1/payment_intents/${open.payment_intent}`)).body).toMatchObject({
      status: 'canceled',
      cancellation_reason: 'void_invoice',
    });
  });

  it('deletes drafts only', async () => {
    const c = await newCustomer('delete@example.com');
    const draft = await newDraft(c);
    expect((await h.call('DELETE', `/v1/invoices/${draft}`)).body).toEqual({ id: draft, object: 'invoice', deleted: true });
    expect((await h.call('GET', `/v1/invoices/${draft}`)).status).toBe(404);
    const other = await newDraft(c);
    await h.call('POST', `/v1/invoices/${other}/finalize`);
    expect((await h.call('DELETE', `/v1/invoices/${other}`)).status).toBe(400);
  });

  it('pays a draft by finalizing it first', async () => {
    const c = await newCustomer('draftpay@example.com');
    const inv = await newDraft(c);
    await addItem(c, inv, { amount: '300', currency: 'usd' });
    const res = (await h.call('POST', `/v1/invoices/${inv}/pay`)).body;
    expect(res).toMatchObject({ status: 'paid', amount_paid: 300 });
    expect(res.number).not.toBeNull();
  });

  it('leaves the invoice open after a decline, with the failed charge recorded', async () => {
    const c = await newCustomer('fail@example.com');
    const inv = await newDraft(c);
    await addItem(c, inv, { amount: '700', currency: 'usd' });
    const res = await h.call('POST', `/v1/invoices/${inv}/pay`, { form: { payment_method: 'pm_card_chargeDeclined' } });
    expect(res.status).toBe(402);
    expect(res.body.error.charge).toMatch(/^ch_/);
    expect(res.body.error.payment_intent.status).toBe('requires_payment_method');
    expect(await invoice(inv)).toMatchObject({ status: 'open', attempt_count: 1, attempted: true, charge: res.body.error.charge });
    expect((await h.call('GET', `/v1/charges/${res.body.error.charge}`)).body).toMatchObject({
      status: 'failed',
      failure_code: 'card_declined',
    });
    expect((await h.call('GET', `/v1/customers/${c}`)).body.delinquent).toBe(true);
    expect((await h.call('POST', `/v1/invoices/${inv}/pay`)).body.status).toBe('paid');
  });
});

describe('subscriptions', () => {
  it('bills the first period at once: active, with a paid invoice and a charge', async () => {
    const c = await newCustomer('subscriber@example.com');
    const sub = (
      await h.call('POST', '/v1/subscriptions', {
        form: { customer: c, 'items[0][price]': 'price_growth_monthly', 'items[0][quantity]': '2', 'metadata[deal]': 'D-9' },
      })
    ).body;
    expect(sub).toMatchObject({
      object: 'subscription',
      status: 'active',
      customer: c,
      metadata: { deal: 'D-9' },
      cancel_at_period_end: false,
    });
    expect(sub.items.data[0]).toMatchObject({
      object: 'subscription_item',
      quantity: 2,
      price: { id: 'price_growth_monthly', unit_amount: 9900 },
    });
    expect(sub.current_period_end).toBeGreaterThan(sub.current_period_start);
    const inv = await invoice(sub.latest_invoice);
    expect(inv).toMatchObject({ status: 'paid', subscription: sub.id, billing_reason: 'subscription_create', total: 19800 });
    expect(inv.lines.data[0]).toMatchObject({ type: 'subscription', subscription: sub.id, subscription_item: sub.items.data[0].id });
    expect(inv.subscription_details).toEqual({ metadata: { deal: 'D-9' } });
    const listed = await h.call('GET', `/v1/subscriptions?customer=${c}`);
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([sub.id]);
  });

  it('updates item quantity and cancel_at_period_end, then cancels', async () => {
    const c = await newCustomer('change@example.com');
    const sub = (await h.call('POST', '/v1/subscriptions', { form: { customer: c, 'items[0][price]': 'price_starter_monthly' } })).body;
    const changed = (
      await h.call('POST', `/v1/subscriptions/${sub.id}`, {
        form: { 'items[0][id]': sub.items.data[0].id, 'items[0][quantity]': '5', cancel_at_period_end: 'true' },
      })
    ).body;
    expect(changed.items.data[0].quantity).toBe(5);
    expect(changed.cancel_at_period_end).toBe(true);
    expect(changed.cancel_at).toBe(changed.current_period_end);
    const canceled = (await h.call('DELETE', `/v1/subscriptions/${sub.id}`)).body;
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_details: { reason: 'cancellation_requested' } });
    expect(canceled.ended_at).toEqual(expect.any(Number));
    expect((await h.call('GET', `/v1/subscriptions?customer=${c}`)).body.data).toEqual([]);
  });

  it('cancels the subscriptions of a deleted customer', async () => {
    const c = await newCustomer('leaving@example.com');
    const sub = (await h.call('POST', '/v1/subscriptions', { form: { customer: c, 'items[0][price]': 'price_starter_monthly' } })).body;
    expect((await h.call('DELETE', `/v1/customers/${c}`)).body).toEqual({ id: c, object: 'customer', deleted: true });
    expect((await h.call('GET', `/v1/subscriptions/${sub.id}`)).body.status).toBe('canceled');
    expect((await h.call('GET', `/v1/customers/${c}`)).body).toEqual({ id: c, object: 'customer', deleted: true });
    expect((await h.call('POST', `/v1/customers/${c}`, { form: { name: 'x' } })).status).toBe(404);
  });
});

describe('events', () => {
  it('records created and updated events with previous_attributes and the request', async () => {
    const created = await h.call('POST', '/v1/customers', { form: { email: 'events@example.com', 'metadata[a]': '1' } });
    const c = created.body.id;
    const mark = await latestEventId();
    const updated = await h.call('POST', `/v1/customers/${c}`, { form: { email: 'events2@example.com', 'metadata[b]': '2' } });
    const [evt] = await eventsSince(mark);
    expect(evt.type).toBe('customer.updated');
    expect(evt.data.object).toMatchObject({ id: c, email: 'events2@example.com' });
    expect(evt.data.previous_attributes).toEqual({ email: 'events@example.com', metadata: { b: null } });
    expect(evt.request).toEqual({ id: updated.headers.get('request-id'), idempotency_key: null });
    const got = await h.call('GET', `/v1/events/${(evt as unknown as { id: string }).id}`);
    expect(got.body).toMatchObject({
      object: 'event',
      api_version: '2023-08-16',
      livemode: false,
      pending_webhooks: expect.any(Number),
      type: 'customer.updated',
    });
  });

  it('records no event for an update that changes nothing', async () => {
    const c = await newCustomer('noop@example.com');
    const mark = await latestEventId();
    await h.call('POST', `/v1/customers/${c}`, { form: { email: 'noop@example.com' } });
    expect(await eventsSince(mark)).toEqual([]);
  });

  it('filters events by type (with wildcards), types[] and created', async () => {
    const byType = await h.call('GET', '/v1/events?type=invoice.paid&limit=100');
    expect(byType.body.data.length).toBeGreaterThan(0);
    expect(byType.body.data.every((e: { type: string }) => e.type === 'invoice.paid')).toBe(true);
    const wild = await h.call('GET', '/v1/events?type=customer.*&limit=100');
    expect(new Set(wild.body.data.map((e: { type: string }) => e.type))).toEqual(
      new Set([
        'customer.created',
        'customer.updated',
        'customer.deleted',
        'customer.subscription.created',
        'customer.subscription.updated',
        'customer.subscription.deleted',
      ]),
    );
    const types = await h.call('GET', '/v1/events?types[]=invoice.voided&types[]=invoice.deleted&limit=100');
    expect(new Set(types.body.data.map((e: { type: string }) => e.type))).toEqual(new Set(['invoice.voided', 'invoice.deleted']));
    const newest = wild.body.data[0].created;
    const recent = await h.call('GET', `/v1/events?created[gte]=${newest}&limit=100`);
    expect(recent.body.data.every((e: { created: number }) => e.created >= newest)).toBe(true);
  });
});

describe('admin edits', () => {
  it('edits a customer as the Dashboard would: an Event without an idempotency key, and a change on the emitter', async () => {
    const c = await newCustomer('dash@example.com');
    const emitter = (h.sandbox.server('billing').vendor as unknown as { events: EventEmitter }).events;
    const seen: BillingChange[] = [];
    const listen = (change: BillingChange) => seen.push(change);
    emitter.on('change', listen);
    try {
      const res = await h.admin('POST', '/__sandbox/edit', {
        object: 'customer',
        id: c,
        set: { email: 'dash2@example.com', metadata: { hubspot_contact_id: '10000042' } },
      });
      expect(res.status).toBe(200);
      expect(res.body.object).toMatchObject({ id: c, email: 'dash2@example.com', metadata: { hubspot_contact_id: '10000042' } });
      expect(res.body.events.map((e: { type: string }) => e.type)).toEqual(['customer.updated']);
      const evt = (await h.call('GET', `/v1/events/${res.body.events[0].id}`)).body;
      expect(evt.data.previous_attributes).toEqual({ email: 'dash@example.com', metadata: { hubspot_contact_id: null } });
      expect(evt.request.idempotency_key).toBeNull();
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        type: 'customer.updated',
        object: { id: c, email: 'dash2@example.com' },
        previous: { email: 'dash@example.com' },
        event: { id: evt.id },
      });
    } finally {
      emitter.off('change', listen);
    }
    expect((await h.call('GET', `/v1/customers/${c}`)).body.email).toBe('dash2@example.com');
  });

  it('moves a seeded open invoice through pay, and another through mark_uncollectible then void', async () => {
    const open = (await h.call('GET', '/v1/invoices?status=open&limit=2')).body.data;
    const paid = await h.admin('POST', '/__sandbox/edit', { object: 'invoice', id: open[0].id, action: 'pay' });
    expect(paid.body.object.status).toBe('paid');
    expect(paid.body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['invoice.paid', 'charge.succeeded']));
    expect((await invoice(open[0].id)).status).toBe('paid');
    const unc = await h.admin('POST', '/__sandbox/edit', { object: 'invoice', id: open[1].id, action: 'mark_uncollectible' });
    expect(unc.body.object.status).toBe('uncollectible');
    expect(unc.body.events.map((e: { type: string }) => e.type)).toEqual(['invoice.marked_uncollectible', 'invoice.updated']);
    const voided = await h.admin('POST', '/__sandbox/edit', { object: 'invoice', id: open[1].id, action: 'void' });
    expect(voided.body.object.status).toBe('void');
    expect(
      (await h.call('GET', `/v1/invoices?customer=${open[1].customer}&status=void`)).body.data.map((i: { id: string }) => i.id),
    ).toContain(open[1].id);
  });

  it('records a failed payment through fail_payment and refunds a charge', async () => {
    const [inv] = (await h.call('GET', '/v1/invoices?status=open&collection_method=send_invoice&limit=1')).body.data;
    const failed = await h.admin('POST', '/__sandbox/edit', { object: 'invoice', id: inv.id, action: 'fail_payment' });
    expect(failed.status).toBe(200);
    expect(failed.body.error.code).toBe('card_declined');
    expect(failed.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['charge.failed', 'invoice.payment_failed']),
    );
    const [charge] = (await h.call('GET', '/v1/charges?limit=1')).body.data;
    const [succeeded] = (await h.call('GET', '/v1/charges?limit=100')).body.data.filter(
      (c: { status: string; refunded: boolean }) => c.status === 'succeeded' && !c.refunded,
    );
    const refund = await h.admin('POST', '/__sandbox/edit', { object: 'charge', id: succeeded.id, action: 'refund' });
    expect(refund.body.object).toMatchObject({ refunded: true, amount_refunded: succeeded.amount });
    expect(refund.body.events.map((e: { type: string }) => e.type)).toEqual(['charge.refunded']);
    expect(charge.status).toBe('failed');
  });

  it('rejects unknown objects, actions and missing records', async () => {
    expect((await h.admin('POST', '/__sandbox/edit', { object: 'planet', id: 'x', set: { a: 1 } })).status).toBe(400);
    expect((await h.admin('POST', '/__sandbox/edit', { object: 'invoice', id: 'in_nope', action: 'pay' })).status).toBe(404);
    const c = await newCustomer('noaction@example.com');
    expect((await h.admin('POST', '/__sandbox/edit', { object: 'customer', id: c, action: 'explode' })).status).toBe(400);
  });
});

describe('seeding and reset', () => {
  it('seeds the same account from the same world', async () => {
    const firstPage = async (path: string) => {
      const e = createBillingEmulator(createWorld({ size: 50 }), { apiKey: 'k' });
      const url = new URL(`http://local${path}`);
      const match = e.router.match('GET', url.pathname);
      if (!match || match === 'method-not-allowed') throw new Error(`no route for ${path}`);
      const req = {
        method: 'GET',
        path: url.pathname,
        url,
        query: url.searchParams,
        headers: {},
        rawBody: Buffer.alloc(0),
        params: match.params,
        route: '',
      };
      return (await match.entry.handler(req)).body;
    };
    for (const path of [
      '/v1/invoices?limit=20',
      '/v1/charges?limit=20',
      '/v1/subscriptions?limit=20&status=all',
      '/v1/customers?limit=20',
    ]) {
      expect(await firstPage(path)).toEqual(await firstPage(path));
    }
  });

  it('links customers to contacts through metadata only where the world says so', async () => {
    const { world } = h.sandbox;
    const linked = world.customers.find((c) => c.linkedByMetadata)!;
    const unlinked = world.customers.find((c) => !c.linkedByMetadata && c.contactId)!;
    expect((await h.call('GET', `/v1/customers/${linked.id}`)).body.metadata).toEqual({ hubspot_contact_id: linked.contactId });
    expect((await h.call('GET', `/v1/customers/${unlinked.id}`)).body.metadata).toEqual({});
  });

  it('seeds every invoice status, subscription status and both charge outcomes', async () => {
    for (const status of ['draft', 'open', 'paid', 'uncollectible', 'void'])
      expect((await h.call('GET', `/v1/invoices?status=${status}&limit=1`)).body.data, status).toHaveLength(1);
    const subs = (await h.call('GET', '/v1/subscriptions?status=all&limit=100')).body.data.map((s: { status: string }) => s.status);
    expect(subs).toEqual(expect.arrayContaining(['active', 'canceled']));
    const charges = (await h.call('GET', '/v1/charges?limit=100')).body.data.map((c: { status: string }) => c.status);
    expect(charges).toEqual(expect.arrayContaining(['succeeded', 'failed']));
  });

  it('restores the seeded account on reset, with the same ids', async () => {
    const other = await startBilling({ knobs: { searchLagMs: 0 } });
    try {
      const before = (await other.call('GET', '/v1/invoices?limit=5')).body.data.map((i: { id: string }) => i.id);
      const c = (await other.call('POST', '/v1/customers', { form: { email: 'temp@example.com' } })).body.id;
      await other.admin('POST', '/__sandbox/edit', { object: 'invoice', id: before[0], set: { metadata: { touched: 'yes' } } });
      expect((await other.admin('POST', '/__sandbox/reset?scope=all')).status).toBe(200);
      expect((await other.call('GET', `/v1/customers/${c}`)).status).toBe(404);
      expect((await other.call('GET', '/v1/invoices?limit=5')).body.data.map((i: { id: string }) => i.id)).toEqual(before);
      expect((await other.call('GET', `/v1/invoices/${before[0]}`)).body.metadata).toEqual({});
      expect((await other.call('GET', '/v1/events')).body.data).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
