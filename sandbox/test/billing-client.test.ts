/**
 * The official Stripe SDK (stripe-node 13.11.0, API 2023-08-16) against the emulator: if the
 * real client accepts these responses, a connector written for Stripe works here unchanged.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, type BillingHarness, startBilling } from './billing-helpers.ts';

let h: BillingHarness;
let stripe: Stripe;

beforeAll(async () => {
  h = await startBilling({ knobs: { searchLagMs: 0 } });
  const { hostname, port } = new URL(h.url);
  stripe = new Stripe(API_KEY, { apiVersion: '2023-08-16', host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0 });
});

afterAll(async () => {
  await h?.close();
});

describe('stripe-node reads', () => {
  it('lists customers and retrieves one', async () => {
    const page = await stripe.customers.list({ limit: 3 });
    expect(page.object).toBe('list');
    expect(page.data).toHaveLength(3);
    expect(page.has_more).toBe(true);
    const one = await stripe.customers.retrieve(page.data[0].id);
    expect(one.id).toBe(page.data[0].id);
    expect(one.lastResponse.requestId).toMatch(/^req_/);
  });

  it('auto-paginates a list with for await, without repeats, to the end', async () => {
    const seen = new Set<string>();
    let count = 0;
    for await (const sub of stripe.subscriptions.list({ limit: 7, status: 'all' })) {
      seen.add(sub.id);
      count++;
    }
    expect(count).toBe(seen.size);
    expect(count).toBe(h.sandbox.world.size.subscriptions);
  });

  it('searches with the query language and expands results', async () => {
    const [c] = (await stripe.customers.list({ limit: 1 })).data;
    const res = await stripe.customers.search({ query: `email:"${c.email}"`, expand: ['total_count'] });
    expect(res.data.map((x) => x.id)).toContain(c.id);
    expect(res.total_count).toBeGreaterThanOrEqual(1);
  });

  it('expands an invoice customer through the SDK', async () => {
    const page = await stripe.invoices.list({ limit: 2, status: 'paid', expand: ['data.customer', 'data.payment_intent'] });
    const inv = page.data[0];
    expect(typeof inv.customer).toBe('object');
    expect((inv.payment_intent as Stripe.PaymentIntent).status).toBe('succeeded');
  });
});

describe('stripe-node writes', () => {
  it('creates a customer with nested metadata', async () => {
    const c = await stripe.customers.create({
      email: 'sdk@example.com',
      name: 'SDK User',
      metadata: { hubspot_contact_id: '10000001', tier: 'gold' },
    });
    expect(c.id).toMatch(/^cus_/);
    expect(c.metadata).toEqual({ hubspot_contact_id: '10000001', tier: 'gold' });
    const updated = await stripe.customers.update(c.id, { metadata: { tier: '' } });
    expect(updated.metadata).toEqual({ hubspot_contact_id: '10000001' });
  });

  it('runs the invoice flow: draft, invoice items, finalize, pay', async () => {
    const c = await stripe.customers.create({ email: 'flow@example.com' });
    const draft = await stripe.invoices.create({ customer: c.id, collection_method: 'charge_automatically' });
    expect(draft.status).toBe('draft');
    await stripe.invoiceItems.create({ customer: c.id, invoice: draft.id, amount: 12_000, currency: 'usd', description: 'Implementation' });
    await stripe.invoiceItems.create({ customer: c.id, invoice: draft.id, price: 'price_seat', quantity: 5 });
    const withLines = await stripe.invoices.retrieve(draft.id);
    expect(withLines.lines.data).toHaveLength(2);
    expect(withLines.amount_due).toBe(12_000 + 5 * 1200);
    const open = await stripe.invoices.finalizeInvoice(draft.id);
    expect(open.status).toBe('open');
    expect(open.number).toMatch(/^[0-9A-F]{8}-0001$/);
    const paid = await stripe.invoices.pay(draft.id);
    expect(paid.status).toBe('paid');
    expect(paid.amount_paid).toBe(18_000);
    expect(paid.status_transitions.paid_at).toBeTypeOf('number');
    const charge = await stripe.charges.retrieve(paid.charge as string);
    expect(charge).toMatchObject({ status: 'succeeded', amount: 18_000, invoice: draft.id, customer: c.id });
  });

  it('creates a subscription and cancels it', async () => {
    const c = await stripe.customers.create({ email: 'subs@example.com' });
    const sub = await stripe.subscriptions.create({ customer: c.id, items: [{ price: 'price_starter_monthly', quantity: 2 }] });
    expect(sub.status).toBe('active');
    expect(sub.items.data[0].price.id).toBe('price_starter_monthly');
    const canceled = await stripe.subscriptions.cancel(sub.id);
    expect(canceled.status).toBe('canceled');
  });

  it('replays an idempotent retry: same object, second response marked replayed', async () => {
    const key = `sdk-idem-${Date.now()}`;
    const first = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
    const second = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
    expect(second.id).toBe(first.id);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
  });
});

describe('stripe-node error mapping', () => {
  it('maps a missing object to StripeInvalidRequestError with resource_missing', async () => {
    const error = await stripe.customers.retrieve('cus_doesnotexist').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ code: 'resource_missing', statusCode: 404, param: 'id' });
  });

  it('maps a wrong key to StripeAuthenticationError', async () => {
    const { hostname, port } = new URL(h.url);
    const wrong = new Stripe('sk_test_wrong', { apiVersion: '2023-08-16', host: hostname, port: Number(port), protocol: 'http' });
    await expect(wrong.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('maps a decline to StripeCardError', async () => {
    const c = await stripe.customers.create({ email: 'declined@example.com' });
    const inv = await stripe.invoices.create({ customer: c.id });
    await stripe.invoiceItems.create({ customer: c.id, invoice: inv.id, amount: 500, currency: 'usd' });
    const error = await stripe.invoices.pay(inv.id, { payment_method: 'pm_card_chargeDeclined' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ code: 'card_declined', decline_code: 'generic_decline', statusCode: 402 });
  });

  it('maps forced 429s to StripeRateLimitError', async () => {
    await h.knobs({ rateLimitForMs: 60_000 });
    try {
      await expect(stripe.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    } finally {
      await h.knobs({ rateLimitedUntil: 0 });
    }
  });
});
