/**
 * Stripe's wire format as the emulator speaks it: authentication forms, form-encoded nested
 * parameters, parameter validation, error bodies and statuses, 429s (rate_limit and
 * lock_timeout), and the headers every response carries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeForm } from '../src/billing/form.ts';
import { API_KEY, type BillingHarness, startBilling } from './billing-helpers.ts';

let h: BillingHarness;

beforeAll(async () => {
  h = await startBilling({ knobs: { searchLagMs: 0 } });
});

afterAll(async () => {
  await h?.close();
});

describe('authentication', () => {
  it('accepts the key as a Bearer token', async () => {
    expect((await h.call('GET', '/v1/customers?limit=1')).status).toBe(200);
  });

  it('accepts the key as the Basic user name, with or without the trailing colon', async () => {
    for (const userinfo of [`${API_KEY}:`, API_KEY]) {
      const res = await h.call('GET', '/v1/customers?limit=1', {
        headers: { authorization: `Basic ${Buffer.from(userinfo).toString('base64')}` },
      });
      expect(res.status).toBe(200);
    }
  });

  it('answers 401 without a key, naming the missing key', async () => {
    const res = await h.call('GET', '/v1/customers', { noAuth: true });
    expect(res.status).toBe(401);
    expect(res.body.error.type).toBe('invalid_request_error');
    expect(res.body.error.message).toMatch(/You did not provide an API key/);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
  });

  it('answers 401 for a wrong key and masks it in the message', async () => {
    const res = await h.call('GET', '/v1/customers', { headers: { authorization: 'Bearer sk_test_notthekey1234' } });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('Invalid API Key provided: sk_test_*********1234');
  });
});

describe('form encoding', () => {
  it('decodes nested hashes, indexed and appended arrays', () => {
    expect(
      decodeForm(
        'metadata[a]=1&metadata[b]=x%20y&expand[]=customer&expand[]=charge&items[1][price]=p2&items[0][price]=p1&items[0][quantity]=3&created[gte]=10',
      ),
    ).toEqual({
      metadata: { a: '1', b: 'x y' },
      expand: ['customer', 'charge'],
      items: [{ price: 'p1', quantity: '3' }, { price: 'p2' }],
      created: { gte: '10' },
    });
    expect(decodeForm('items[][price]=a&items[][quantity]=1&items[][price]=b')).toEqual({
      items: [{ price: 'a', quantity: '1' }, { price: 'b' }],
    });
    expect(decodeForm('a+b=c+d')).toEqual({ 'a b': 'c d' });
  });

  it('stores nested metadata from a POST body and unsets a key with an empty value', async () => {
    const created = await h.call('POST', '/v1/customers', {
      form: 'email=form%40example.com&metadata[plan]=pro&metadata[seats]=12&preferred_locales[0]=en&preferred_locales[1]=pt',
    });
    expect(created.status).toBe(200);
    expect(created.body.metadata).toEqual({ plan: 'pro', seats: '12' });
    expect(created.body.preferred_locales).toEqual(['en', 'pt']);
    const updated = await h.call('POST', `/v1/customers/${created.body.id}`, { form: 'metadata[plan]=&metadata[team]=core' });
    expect(updated.body.metadata).toEqual({ seats: '12', team: 'core' });
    const cleared = await h.call('POST', `/v1/customers/${created.body.id}`, { form: 'metadata=&description=' });
    expect(cleared.body.metadata).toEqual({});
    expect(cleared.body.description).toBeNull();
  });

  it('reads GET parameters, including expand[0] and created[gte], from the query string', async () => {
    const res = await h.call('GET', '/v1/invoices?limit=3&expand[0]=data.customer&created[gte]=0');
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(3);
    expect(res.body.data[0].customer.object).toBe('customer');
  });

  it('expands on a POST response with expand[] in the body', async () => {
    const c = await h.call('POST', '/v1/customers', { form: 'email=exp%40example.com' });
    const sub = await h.call('POST', '/v1/subscriptions', {
      form: `customer=${c.body.id}&items[0][price]=price_starter_monthly&expand[]=latest_invoice&expand[]=customer`,
    });
    expect(sub.body.latest_invoice.object).toBe('invoice');
    expect(sub.body.customer.id).toBe(c.body.id);
  });
});

describe('parameter validation', () => {
  it('rejects an unknown parameter with parameter_unknown', async () => {
    const res = await h.call('POST', '/v1/customers', { form: 'emali=typo%40example.com' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_unknown', param: 'emali' });
  });

  it('rejects a non-integer with parameter_invalid_integer', async () => {
    const res = await h.call('GET', '/v1/customers?limit=ten');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'parameter_invalid_integer', param: 'limit', message: 'Invalid integer: ten' });
  });

  it('rejects a limit above 100', async () => {
    const res = await h.call('GET', '/v1/invoices?limit=101');
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe('limit');
  });

  it('names the missing required parameter', async () => {
    const res = await h.call('POST', '/v1/invoiceitems', { form: 'amount=100&currency=usd' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'parameter_missing', param: 'customer', message: 'Missing required param: customer.' });
  });

  it('rejects an expand of a field that is not expandable', async () => {
    const res = await h.call('GET', '/v1/customers?limit=1&expand[]=data.email');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/cannot be expanded \(email\)/);
  });

  it('rejects starting_after together with ending_before', async () => {
    const res = await h.call('GET', '/v1/customers?starting_after=cus_a&ending_before=cus_b');
    expect(res.body.error.code).toBe('parameters_exclusive');
  });
});

describe('errors', () => {
  it('404s an unknown object with resource_missing, param id and a doc_url', async () => {
    const res = await h.call('GET', '/v1/invoices/in_nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'id',
        message: "No such invoice: 'in_nope'",
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
      },
    });
  });

  it('answers 400 resource_missing for a missing object named in the body', async () => {
    const res = await h.call('POST', '/v1/invoices', { form: 'customer=cus_nope' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'resource_missing', param: 'customer' });
  });

  it('404s an unknown route with Stripe\'s "Unrecognized request URL"', async () => {
    const res = await h.call('GET', '/v1/widgets');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/widgets\)/);
  });

  it('refuses to edit a finalized invoice with invoice_not_editable', async () => {
    const c = (await h.call('POST', '/v1/customers', { form: 'email=ne%40example.com' })).body.id;
    const inv = (await h.call('POST', '/v1/invoices', { form: `customer=${c}` })).body.id;
    await h.call('POST', '/v1/invoiceitems', { form: `customer=${c}&invoice=${inv}&amount=100&currency=usd` });
    await h.call('POST', `/v1/invoices/${inv}/finalize`);
    const res = await h.call('POST', '/v1/invoiceitems', { form: `customer=${c}&invoice=${inv}&amount=100&currency=usd` });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invoice_not_editable');
  });

  it('answers injected 500s as api_error', async () => {
    await h.knobs({ errorRate: 1 });
    try {
      const res = await h.call('GET', '/v1/customers');
      expect(res.status).toBe(500);
      expect(res.body.error.type).toBe('api_error');
    } finally {
      await h.knobs({ errorRate: 0 });
    }
  });
});

describe('429s', () => {
  it('answers a rate-limited window with code rate_limit', async () => {
    await h.knobs({ rateLimitForMs: 60_000 });
    try {
      const res = await h.call('GET', '/v1/customers');
      expect(res.status).toBe(429);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'rate_limit' });
      expect(res.headers.get('request-id')).toMatch(/^req_/);
    } finally {
      await h.knobs({ rateLimitedUntil: 0 });
    }
  });

  it('answers writes to a locked object with lock_timeout and Stripe-Should-Retry', async () => {
    const c = (await h.call('POST', '/v1/customers', { form: 'email=lock%40example.com' })).body.id;
    expect((await h.admin('POST', '/__sandbox/locks', { ids: [c] })).status).toBe(200);
    try {
      const res = await h.call('POST', `/v1/customers/${c}`, { form: 'name=Locked' });
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('lock_timeout');
      expect(res.headers.get('stripe-should-retry')).toBe('true');
      const viaBody = await h.call('POST', '/v1/invoices', { form: `customer=${c}` });
      expect(viaBody.body.error.code).toBe('lock_timeout');
      // Reads are not locked.
      expect((await h.call('GET', `/v1/customers/${c}`)).status).toBe(200);
    } finally {
      await h.admin('DELETE', '/__sandbox/locks');
    }
    expect((await h.call('POST', `/v1/customers/${c}`, { form: 'name=Unlocked' })).body.name).toBe('Unlocked');
  });

  it('answers a share of all writes with lock_timeout when a rate is set', async () => {
    await h.admin('POST', '/__sandbox/locks', { rate: 1 });
    try {
      const res = await h.call('POST', '/v1/customers', { form: 'email=rate%40example.com' });
      expect(res.body.error.code).toBe('lock_timeout');
    } finally {
      await h.admin('DELETE', '/__sandbox/locks');
    }
  });
});

describe('headers', () => {
  it('sends a fresh Request-Id on every response and echoes Stripe-Version', async () => {
    const a = await h.call('GET', '/v1/customers?limit=1', { headers: { 'stripe-version': '2023-08-16' } });
    const b = await h.call('GET', '/v1/customers/cus_nope');
    expect(a.headers.get('request-id')).toMatch(/^req_[0-9A-Za-z]{14}$/);
    expect(b.headers.get('request-id')).not.toBe(a.headers.get('request-id'));
    expect(a.headers.get('stripe-version')).toBe('2023-08-16');
    expect(b.headers.get('stripe-version')).toBe('2023-08-16');
  });

  it('rejects a malformed Stripe-Version', async () => {
    const res = await h.call('GET', '/v1/customers', { headers: { 'stripe-version': 'latest' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/Invalid Stripe API version: latest/);
  });
});
