/**
 * Stripe API versions in the emulator: answers rendered in the request's `Stripe-Version`,
 * else the account default; the force knob; Events in the version they were created in.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BillingHarness, startBilling } from './billing-helpers.ts';

const PINNED = '2023-08-16';
const BASIL = '2025-03-31.basil';

let h: BillingHarness;
let invoiceId: string;
let subscriptionId: string;

beforeAll(async () => {
  h = await startBilling();
  const page = await h.call('GET', '/v1/invoices?limit=100', { headers: { 'stripe-version': PINNED } });
  const withSub = (page.body.data as { id: string; subscription: string | null }[]).find((inv) => inv.subscription);
  invoiceId = withSub!.id;
  subscriptionId = withSub!.subscription!;
});
afterAll(() => h?.close());
afterEach(async () => {
  await h.admin('DELETE', '/__sandbox/api-version');
});

const get = (path: string, version?: string) => h.call('GET', path, version ? { headers: { 'stripe-version': version } } : {});

describe('answers in the requested version', () => {
  it('renders 2023-08-16 invoices with subscription, paid, charge and line prices', async () => {
    const res = await get(`/v1/invoices/${invoiceId}`, PINNED);
    expect(res.headers.get('stripe-version')).toBe(PINNED);
    expect(res.body.subscription).toBe(subscriptionId);
    expect(res.body).toHaveProperty('paid');
    expect(res.body).toHaveProperty('charge');
    expect(res.body).not.toHaveProperty('parent');
    expect(res.body.lines.data[0]).toHaveProperty('price');
  });

  it('renders basil invoices with parent.subscription_details and without subscription, paid, charge, payment_intent', async () => {
    const res = await get(`/v1/invoices/${invoiceId}`, BASIL);
    expect(res.headers.get('stripe-version')).toBe(BASIL);
    expect(res.body.parent).toMatchObject({ type: 'subscription_details', subscription_details: { subscription: subscriptionId } });
    for (const gone of ['subscription', 'subscription_details', 'paid', 'charge', 'payment_intent'])
      expect(res.body).not.toHaveProperty(gone);
    const line = res.body.lines.data[0];
    expect(line).not.toHaveProperty('price');
    expect(line).not.toHaveProperty('subscription');
    expect(line.pricing).toMatchObject({ type: 'price_details' });
    expect(line.parent.type).toMatch(/^(subscription_item|invoice_item)_details$/);
  });

  it('moves a basil subscription current period onto its items, in lists too', async () => {
    const one = await get(`/v1/subscriptions/${subscriptionId}`, BASIL);
    expect(one.body).not.toHaveProperty('current_period_end');
    expect(one.body.items.data[0]).toEqual(expect.objectContaining({ current_period_end: expect.any(Number) }));
    const list = await get('/v1/invoices?limit=3', BASIL);
    for (const inv of list.body.data) expect(inv).not.toHaveProperty('subscription');
  });
});

describe('the account default and the force knob', () => {
  it('renders a request without Stripe-Version in the account default, and a request with one as asked', async () => {
    const set = await h.admin('POST', '/__sandbox/api-version', { default: BASIL });
    expect(set.body).toMatchObject({ default: BASIL, force: null });
    const bare = await get(`/v1/invoices/${invoiceId}`);
    expect(bare.headers.get('stripe-version')).toBe(BASIL);
    expect(bare.body).not.toHaveProperty('subscription');
    const pinned = await get(`/v1/invoices/${invoiceId}`, PINNED);
    expect(pinned.headers.get('stripe-version')).toBe(PINNED);
    expect(pinned.body.subscription).toBe(subscriptionId);
  });

  it('forces every answer, errors included, into the forced version whatever the request asks; null lifts it', async () => {
    await h.admin('POST', '/__sandbox/api-version', { force: BASIL });
    const forced = await get(`/v1/invoices/${invoiceId}`, PINNED);
    expect(forced.headers.get('stripe-version')).toBe(BASIL);
    expect(forced.body.parent.subscription_details.subscription).toBe(subscriptionId);
    const missing = await get('/v1/invoices/in_nope', PINNED);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('stripe-version')).toBe(BASIL);
    await h.admin('POST', '/__sandbox/api-version', { force: null });
    const lifted = await get(`/v1/invoices/${invoiceId}`, PINNED);
    expect(lifted.headers.get('stripe-version')).toBe(PINNED);
    expect(lifted.body.subscription).toBe(subscriptionId);
  });

  it('refuses a setting that is not a version', async () => {
    expect((await h.admin('POST', '/__sandbox/api-version', { force: 'latest' })).status).toBe(400);
    expect((await h.admin('POST', '/__sandbox/api-version', { default: 7 })).status).toBe(400);
    expect((await h.admin('GET', '/__sandbox/api-version')).body).toEqual({ default: PINNED, force: null, emulated: [PINNED, BASIL] });
  });
});

describe('events', () => {
  const edit = (id: string, description: string) =>
    h.admin('POST', '/__sandbox/edit', { object: 'invoice', id, set: { description } }).then((r) => r.body.events[0].id as string);

  it('renders an event in the version it was created in, whatever the request asks', async () => {
    const before = await edit(invoiceId, 'made under 2023-08-16');
    await h.admin('POST', '/__sandbox/api-version', { default: BASIL });
    const after = await edit(invoiceId, 'made under basil');

    const old = await get(`/v1/events/${before}`, BASIL);
    expect(old.headers.get('stripe-version')).toBe(BASIL);
    expect(old.body.api_version).toBe(PINNED);
    expect(old.body.data.object.subscription).toBe(subscriptionId);

    const listed = await get('/v1/events?limit=5', PINNED);
    const fresh = (listed.body.data as { id: string }[]).find((e) => e.id === after) as any;
    expect(fresh.api_version).toBe(BASIL);
    expect(fresh.data.object).not.toHaveProperty('subscription');
    expect(fresh.data.object.parent.subscription_details.subscription).toBe(subscriptionId);
    expect(fresh.data.previous_attributes).toEqual({ description: 'made under 2023-08-16' });
  });

  it('renders every event in the forced version while the knob is on', async () => {
    const id = await edit(invoiceId, 'forced later');
    await h.admin('POST', '/__sandbox/api-version', { force: BASIL });
    const got = await get(`/v1/events/${id}`, PINNED);
    expect(got.body.api_version).toBe(BASIL);
    expect(got.body.data.object).not.toHaveProperty('subscription');
  });
});
