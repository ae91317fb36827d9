/**
 * Idempotency-Key, as Stripe documents it: the first executed response (success or error)
 * is replayed with `Idempotent-Replayed: true`; other parameters under the same key are an
 * `idempotency_error`; a concurrent request under an in-flight key is a 409; and failures
 * before execution (auth, 429, validation) store nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillingHarness, startBilling } from './billing-helpers.ts';

let h: BillingHarness;
let n = 0;
const key = () => `idem-test-${++n}-${Date.now()}`;

beforeAll(async () => {
  h = await startBilling({ knobs: { searchLagMs: 0 } });
});

afterAll(async () => {
  await h?.close();
});

const countEvents = async (type: string) => (await h.call('GET', `/v1/events?type=${type}&limit=100`)).body.data.length;

describe('replay', () => {
  it('replays the first response for the same key and parameters, creating one object', async () => {
    const k = key();
    const before = await countEvents('customer.created');
    const first = await h.call('POST', '/v1/customers', {
      form: 'email=once%40example.com&metadata[a]=1',
      headers: { 'idempotency-key': k },
    });
    // The same parameters in another order are the same request.
    const second = await h.call('POST', '/v1/customers', {
      form: 'metadata[a]=1&email=once%40example.com',
      headers: { 'idempotency-key': k },
    });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('idempotency-key')).toBe(k);
    expect(await countEvents('customer.created')).toBe(before + 1);
  });

  it('replays a stored 400 from execution, even after the cause is gone', async () => {
    const c = (await h.call('POST', '/v1/customers', { form: 'email=err%40example.com' })).body.id;
    const inv = (await h.call('POST', '/v1/invoices', { form: `customer=${c}` })).body.id;
    await h.call('POST', '/v1/invoiceitems', { form: `customer=${c}&invoice=${inv}&amount=100&currency=usd` });
    const k = key();
    // Voiding a draft fails in execution: the 400 is stored under the key.
    const first = await h.call('POST', `/v1/invoices/${inv}/void`, { headers: { 'idempotency-key': k } });
    expect(first.status).toBe(400);
    await h.call('POST', `/v1/invoices/${inv}/finalize`);
    const again = await h.call('POST', `/v1/invoices/${inv}/void`, { headers: { 'idempotency-key': k } });
    expect(again.status).toBe(400);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // A new key executes for real.
    expect((await h.call('POST', `/v1/invoices/${inv}/void`, { headers: { 'idempotency-key': key() } })).body.status).toBe('void');
  });

  it('replays a stored 402 decline without charging again', async () => {
    const c = (await h.call('POST', '/v1/customers', { form: 'email=dec%40example.com' })).body.id;
    const inv = (await h.call('POST', '/v1/invoices', { form: `customer=${c}` })).body.id;
    await h.call('POST', '/v1/invoiceitems', { form: `customer=${c}&invoice=${inv}&amount=100&currency=usd` });
    const k = key();
    const first = await h.call('POST', `/v1/invoices/${inv}/pay`, {
      form: 'payment_method=pm_card_chargeDeclined',
      headers: { 'idempotency-key': k },
    });
    const second = await h.call('POST', `/v1/invoices/${inv}/pay`, {
      form: 'payment_method=pm_card_chargeDeclined',
      headers: { 'idempotency-key': k },
    });
    expect(first.status).toBe(402);
    expect(second.status).toBe(402);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await h.call('GET', `/v1/charges?customer=${c}`)).body.data).toHaveLength(1);
    expect((await h.call('GET', `/v1/invoices/${inv}`)).body.attempt_count).toBe(1);
  });

  it('ignores the key on GET and DELETE', async () => {
    const k = key();
    const a = await h.call('GET', '/v1/customers?limit=1', { headers: { 'idempotency-key': k } });
    const b = await h.call('GET', '/v1/customers?limit=2', { headers: { 'idempotency-key': k } });
    expect(a.body.data).toHaveLength(1);
    expect(b.body.data).toHaveLength(2);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('conflicts', () => {
  it('answers other parameters under a used key with idempotency_error', async () => {
    const k = key();
    await h.call('POST', '/v1/customers', { form: 'email=first%40example.com', headers: { 'idempotency-key': k } });
    const res = await h.call('POST', '/v1/customers', { form: 'email=second%40example.com', headers: { 'idempotency-key': k } });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('idempotency_error');
    expect(res.body.error.message).toMatch(/same parameters/);
  });

  it('answers the same key on another endpoint with idempotency_error', async () => {
    const k = key();
    await h.call('POST', '/v1/customers', { form: 'email=ep%40example.com', headers: { 'idempotency-key': k } });
    const c = (await h.call('GET', '/v1/customers?limit=1')).body.data[0].id;
    const res = await h.call('POST', `/v1/customers/${c}`, { form: 'email=ep%40example.com', headers: { 'idempotency-key': k } });
    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('idempotency_error');
  });

  it('answers a concurrent request under an in-flight key with 409 idempotency_key_in_use, storing nothing for it', async () => {
    await h.admin('POST', '/__sandbox/hold', { ms: 400 });
    try {
      const k = key();
      const slow = h.call('POST', '/v1/customers', { form: 'email=slow%40example.com', headers: { 'idempotency-key': k } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const concurrent = await h.call('POST', '/v1/customers', { form: 'email=slow%40example.com', headers: { 'idempotency-key': k } });
      expect(concurrent.status).toBe(409);
      expect(concurrent.body.error).toMatchObject({ type: 'invalid_request_error', code: 'idempotency_key_in_use' });
      const first = await slow;
      expect(first.status).toBe(200);
      await h.admin('POST', '/__sandbox/hold', { ms: 0 });
      const retry = await h.call('POST', '/v1/customers', { form: 'email=slow%40example.com', headers: { 'idempotency-key': k } });
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body.id).toBe(first.body.id);
    } finally {
      await h.admin('POST', '/__sandbox/hold', { ms: 0 });
    }
  });
});

describe('nothing stored before execution', () => {
  it('stores nothing for a validation failure, so the fixed retry runs under the same key', async () => {
    const k = key();
    const bad = await h.call('POST', '/v1/customers', { form: 'email=v%40example.com&balance=lots', headers: { 'idempotency-key': k } });
    expect(bad.status).toBe(400);
    // Validation failures store nothing, so the key is still free for a corrected request.
    const good = await h.call('POST', '/v1/customers', { form: 'email=v%40example.com&balance=5', headers: { 'idempotency-key': k } });
    expect(good.status).toBe(200);
    expect(good.headers.get('idempotent-replayed')).toBeNull();
  });

  it('stores nothing for a 401 or a 429', async () => {
    const k = key();
    expect(
      (await h.call('POST', '/v1/customers', { form: 'email=x%40example.com', noAuth: true, headers: { 'idempotency-key': k } })).status,
    ).toBe(401);
    await h.knobs({ rateLimitForMs: 60_000 });
    try {
      expect((await h.call('POST', '/v1/customers', { form: 'email=x%40example.com', headers: { 'idempotency-key': k } })).status).toBe(
        429,
      );
    } finally {
      await h.knobs({ rateLimitedUntil: 0 });
    }
    await h.admin('POST', '/__sandbox/locks', { rate: 1 });
    try {
      expect(
        (await h.call('POST', '/v1/customers', { form: 'email=x%40example.com', headers: { 'idempotency-key': k } })).body.error.code,
      ).toBe('lock_timeout');
    } finally {
      await h.admin('DELETE', '/__sandbox/locks');
    }
    const real = await h.call('POST', '/v1/customers', { form: 'email=x%40example.com', headers: { 'idempotency-key': k } });
    expect(real.status).toBe(200);
    expect(real.headers.get('idempotent-replayed')).toBeNull();
  });

  it('records the idempotency key on the events the request caused', async () => {
    const k = key();
    const c = await h.call('POST', '/v1/customers', { form: 'email=evt%40example.com', headers: { 'idempotency-key': k } });
    const evt = (await h.call('GET', '/v1/events?type=customer.created&limit=1')).body.data[0];
    expect(evt.data.object.id).toBe(c.body.id);
    expect(evt.request).toEqual({ id: c.headers.get('request-id'), idempotency_key: k });
  });
});
