/**
 * Contract: every response the Stripe emulator sends for a path in the trimmed Stripe spec
 * (specs/stripe.subset.json, API 2023-08-16) validates against that path's response
 * schema — successes against the 200 schema, errors against `default` (the `error` schema).
 * The spec is read from the emulator's own `GET /openapi.json`, which also proves it is served.
 */
import AjvModule, { type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillingHarness, type CallResult, q, startBilling } from './billing-helpers.ts';

// A CJS package: under NodeNext the default import is `module.exports`, which carries `.default`.
const Ajv = AjvModule.default;

let h: BillingHarness;
// The spec is a large JSON document; typed loosely on purpose.
let spec: any;
let ajv: InstanceType<typeof Ajv>;
const validators = new Map<string, ValidateFunction>();
const covered = new Set<string>();

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: Ajv's own `nullable` needs a sibling `type`,
 * and Stripe's spec also puts it beside `anyOf` and `$ref`. Enums gain `null` as a value.
 */
function translateNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(translateNullable);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'enum' || k === 'example' ? v : translateNullable(v);
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
  if (out.$ref !== undefined) return { anyOf: [{ $ref: out.$ref }, { type: 'null' }] };
  if (Array.isArray(out.anyOf)) return { ...out, anyOf: [...out.anyOf, { type: 'null' }] };
  return { anyOf: [out, { type: 'null' }] };
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

function validatorFor(path: string, method: string, status: string): ValidateFunction {
  const key = `${method} ${path} ${status}`;
  const known = validators.get(key);
  if (known) return known;
  const responses = spec.paths[path][method].responses;
  const which = responses[status] ? status : 'default';
  const v = ajv.compile({
    $ref: `stripe.json#/${pointer('paths', path, method, 'responses', which, 'content', 'application/json', 'schema')}`,
  });
  validators.set(key, v);
  return v;
}

/** Asserts the status, then validates the body against the spec's schema for it. */
function conforms(res: CallResult, specPath: string, method: string, status: number): void {
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(status);
  covered.add(`${method} ${specPath}`);
  const validate = validatorFor(specPath, method, status < 300 ? '200' : 'default');
  const ok = validate(res.body);
  expect(ok ? [] : validate.errors, `${method} ${specPath} → ${status}`).toEqual([]);
}

beforeAll(async () => {
  h = await startBilling({ knobs: { searchLagMs: 0 } });
  const res = await fetch(`${h.url}/openapi.json`);
  spec = await res.json();
  // Stripe's formats (unix-time, decimal) are not checked; unknown x- keywords are ignored.
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(translateNullable(spec) as object, 'stripe.json');
});

afterAll(async () => {
  await h?.close();
});

describe('the served spec', () => {
  it('is the trimmed Stripe 2023-08-16 document', () => {
    expect(spec.openapi).toBe('3.0.0');
    expect(spec['x-note'].upstreamApiVersion).toBe('2023-08-16');
    expect(Object.keys(spec.paths)).toContain('/v1/invoices/{invoice}/pay');
  });
});

describe('the validator', () => {
  it('rejects a customer with a missing id, a string timestamp or a wrong enum', async () => {
    const res = await h.call('GET', '/v1/customers?limit=1');
    const validate = validatorFor('/v1/customers/{customer}', 'get', '200');
    const good = res.body.data[0];
    expect(validate(good)).toBe(true);
    const { id: _id, ...noId } = good;
    expect(validate(noId)).toBe(false);
    expect(validate({ ...good, created: String(good.created) })).toBe(false);
    expect(validate({ ...good, tax_exempt: 'sometimes' })).toBe(false);
    expect(validate({ ...good, email: null })).toBe(true);
  });
});

describe('customers', () => {
  it('list, get, create, update, delete and search responses match the spec', async () => {
    conforms(await h.call('GET', '/v1/customers?limit=5'), '/v1/customers', 'get', 200);
    conforms(await h.call('GET', '/v1/customers?limit=3&expand[]=data.subscriptions&expand[]=data.tax'), '/v1/customers', 'get', 200);
    const created = await h.call('POST', '/v1/customers', {
      form: 'email=contract%40example.com&name=Contract&metadata[hubspot_contact_id]=42&address[city]=Lisbon',
    });
    conforms(created, '/v1/customers', 'post', 200);
    const id = created.body.id;
    conforms(
      await h.call('GET', `/v1/customers/${id}?expand[]=subscriptions&expand[]=invoice_settings.default_payment_method`),
      '/v1/customers/{customer}',
      'get',
      200,
    );
    conforms(
      await h.call('POST', `/v1/customers/${id}`, { form: 'phone=%2B1-555-0100&metadata[tier]=gold' }),
      '/v1/customers/{customer}',
      'post',
      200,
    );
    conforms(
      await h.call('GET', `/v1/customers/search?query=${q('email:"contract@example.com"')}&expand[]=total_count`),
      '/v1/customers/search',
      'get',
      200,
    );
    conforms(await h.call('DELETE', `/v1/customers/${id}`), '/v1/customers/{customer}', 'delete', 200);
    conforms(await h.call('GET', `/v1/customers/${id}`), '/v1/customers/{customer}', 'get', 200);
  });

  it('error responses match the error schema', async () => {
    conforms(await h.call('GET', '/v1/customers/cus_missing'), '/v1/customers/{customer}', 'get', 404);
    conforms(await h.call('POST', '/v1/customers', { form: 'balance=abc' }), '/v1/customers', 'post', 400);
    conforms(await h.call('GET', `/v1/customers/search?query=${q('email:"a" OR name:"b" email:"c"')}`), '/v1/customers/search', 'get', 400);
    conforms(await h.call('GET', '/v1/customers', { noAuth: true }), '/v1/customers', 'get', 401);
    conforms(await h.call('DELETE', '/v1/customers/cus_missing'), '/v1/customers/{customer}', 'delete', 404);
  });
});

describe('invoices', () => {
  it('the draft → finalize → pay flow and its reads match the spec', async () => {
    const customer = (await h.call('POST', '/v1/customers', { form: 'email=inv%40example.com' })).body.id;
    const draft = await h.call('POST', '/v1/invoices', { form: `customer=${customer}&description=Contract` });
    conforms(draft, '/v1/invoices', 'post', 200);
    const id = draft.body.id;
    conforms(
      await h.call('POST', '/v1/invoiceitems', { form: `customer=${customer}&invoice=${id}&amount=2500&currency=usd` }),
      '/v1/invoiceitems',
      'post',
      200,
    );
    conforms(
      await h.call('POST', '/v1/invoiceitems', { form: `customer=${customer}&invoice=${id}&price=price_seat&quantity=2` }),
      '/v1/invoiceitems',
      'post',
      200,
    );
    // What the gateway's createInvoice sends: unit_amount and quantity, with a description.
    conforms(
      await h.call('POST', '/v1/invoiceitems', {
        form: `customer=${customer}&invoice=${id}&currency=usd&description=Seats&unit_amount=1200&quantity=3&expand[]=price.product`,
      }),
      '/v1/invoiceitems',
      'post',
      200,
    );
    conforms(await h.call('POST', `/v1/invoices/${id}`, { form: 'metadata[order]=A-1' }), '/v1/invoices/{invoice}', 'post', 200);
    conforms(await h.call('POST', `/v1/invoices/${id}/finalize`), '/v1/invoices/{invoice}/finalize', 'post', 200);
    conforms(
      await h.call('POST', `/v1/invoices/${id}/pay?expand[]=payment_intent&expand[]=charge`),
      '/v1/invoices/{invoice}/pay',
      'post',
      200,
    );
    conforms(
      await h.call('GET', `/v1/invoices/${id}?expand[]=customer&expand[]=payment_intent.latest_charge&expand[]=lines.data.price.product`),
      '/v1/invoices/{invoice}',
      'get',
      200,
    );
    conforms(await h.call('GET', `/v1/invoices?customer=${customer}`), '/v1/invoices', 'get', 200);
    conforms(await h.call('GET', '/v1/invoices?limit=20&expand[]=data.customer&expand[]=data.subscription'), '/v1/invoices', 'get', 200);
    conforms(await h.call('GET', `/v1/invoices/search?query=${q('status:"paid" total>1000')}&limit=20`), '/v1/invoices/search', 'get', 200);
  });

  it('void, delete and state errors match the spec', async () => {
    const customer = (await h.call('POST', '/v1/customers', { form: 'email=void%40example.com' })).body.id;
    const a = (await h.call('POST', '/v1/invoices', { form: `customer=${customer}` })).body.id;
    await h.call('POST', '/v1/invoiceitems', { form: `customer=${customer}&invoice=${a}&amount=900&currency=usd` });
    await h.call('POST', `/v1/invoices/${a}/finalize`);
    conforms(await h.call('POST', `/v1/invoices/${a}/void`), '/v1/invoices/{invoice}/void', 'post', 200);
    conforms(await h.call('POST', `/v1/invoices/${a}/pay`), '/v1/invoices/{invoice}/pay', 'post', 400);
    conforms(await h.call('POST', `/v1/invoices/${a}/finalize`), '/v1/invoices/{invoice}/finalize', 'post', 400);
    conforms(await h.call('POST', `/v1/invoices/${a}/void`), '/v1/invoices/{invoice}/void', 'post', 400);
    conforms(await h.call('DELETE', `/v1/invoices/${a}`), '/v1/invoices/{invoice}', 'delete', 400);
    const b = (await h.call('POST', '/v1/invoices', { form: `customer=${customer}` })).body.id;
    conforms(await h.call('DELETE', `/v1/invoices/${b}`), '/v1/invoices/{invoice}', 'delete', 200);
    conforms(await h.call('GET', `/v1/invoices/${b}`), '/v1/invoices/{invoice}', 'get', 404);
    conforms(await h.call('POST', '/v1/invoices', { form: 'customer=cus_missing' }), '/v1/invoices', 'post', 400);
    conforms(await h.call('POST', '/v1/invoiceitems', { form: 'amount=100&currency=usd' }), '/v1/invoiceitems', 'post', 400);
    conforms(
      await h.call('POST', '/v1/invoiceitems', { form: `customer=${customer}&invoice=${a}&amount=100&currency=usd` }),
      '/v1/invoiceitems',
      'post',
      400,
    );
    conforms(await h.call('POST', '/v1/invoices/in_missing', { form: 'description=x' }), '/v1/invoices/{invoice}', 'post', 404);
  });

  it('a declined payment answers 402 with the card error', async () => {
    const customer = (await h.call('POST', '/v1/customers', { form: 'email=decline%40example.com' })).body.id;
    const id = (await h.call('POST', '/v1/invoices', { form: `customer=${customer}` })).body.id;
    await h.call('POST', '/v1/invoiceitems', { form: `customer=${customer}&invoice=${id}&amount=900&currency=usd` });
    const res = await h.call('POST', `/v1/invoices/${id}/pay`, { form: 'payment_method=pm_card_chargeDeclined' });
    conforms(res, '/v1/invoices/{invoice}/pay', 'post', 402);
    expect(res.body.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline' });
  });

  it('every seeded invoice status renders to the spec', async () => {
    for (const status of ['draft', 'open', 'paid', 'uncollectible', 'void']) {
      const res = await h.call('GET', `/v1/invoices?status=${status}&limit=5&expand[]=data.payment_intent&expand[]=data.charge`);
      conforms(res, '/v1/invoices', 'get', 200);
      expect(res.body.data.length, status).toBeGreaterThan(0);
    }
  });
});

describe('subscriptions', () => {
  it('create, get, list, search, update and cancel match the spec', async () => {
    const customer = (await h.call('POST', '/v1/customers', { form: 'email=sub%40example.com' })).body.id;
    const created = await h.call('POST', '/v1/subscriptions', {
      form: `customer=${customer}&items[0][price]=price_growth_monthly&items[0][quantity]=3&metadata[plan]=growth&expand[]=latest_invoice.payment_intent`,
    });
    conforms(created, '/v1/subscriptions', 'post', 200);
    const id = created.body.id;
    conforms(
      await h.call('GET', `/v1/subscriptions/${id}?expand[]=customer&expand[]=items.data.price.product`),
      '/v1/subscriptions/{subscription_exposed_id}',
      'get',
      200,
    );
    conforms(await h.call('GET', '/v1/subscriptions?status=all&limit=20&expand[]=data.latest_invoice'), '/v1/subscriptions', 'get', 200);
    conforms(await h.call('GET', `/v1/subscriptions/search?query=${q('status:"active"')}`), '/v1/subscriptions/search', 'get', 200);
    conforms(
      await h.call('POST', `/v1/subscriptions/${id}`, { form: 'cancel_at_period_end=true' }),
      '/v1/subscriptions/{subscription_exposed_id}',
      'post',
      200,
    );
    conforms(await h.call('DELETE', `/v1/subscriptions/${id}`), '/v1/subscriptions/{subscription_exposed_id}', 'delete', 200);
    conforms(await h.call('DELETE', `/v1/subscriptions/${id}`), '/v1/subscriptions/{subscription_exposed_id}', 'delete', 400);
    conforms(
      await h.call('POST', '/v1/subscriptions', { form: `customer=${customer}&items[0][price]=price_seat` }),
      '/v1/subscriptions',
      'post',
      400,
    );
    conforms(await h.call('POST', '/v1/subscriptions', { form: `customer=${customer}` }), '/v1/subscriptions', 'post', 400);
  });

  it('trialing subscriptions render to the spec', async () => {
    const customer = (await h.call('POST', '/v1/customers', { form: 'email=trial%40example.com' })).body.id;
    const res = await h.call('POST', '/v1/subscriptions', {
      form: `customer=${customer}&items[0][price]=price_starter_monthly&trial_period_days=14`,
    });
    conforms(res, '/v1/subscriptions', 'post', 200);
    expect(res.body.status).toBe('trialing');
  });
});

describe('prices', () => {
  it('a recurring and a one-time price, expanded or not, match the spec', async () => {
    const recurring = await h.call('GET', '/v1/prices/price_growth_monthly');
    conforms(recurring, '/v1/prices/{price}', 'get', 200);
    expect(recurring.body.recurring).toMatchObject({ interval: 'month' });
    const oneTime = await h.call('GET', '/v1/prices/price_seat?expand[]=product');
    conforms(oneTime, '/v1/prices/{price}', 'get', 200);
    expect(oneTime.body.recurring).toBeNull();
    conforms(await h.call('GET', '/v1/prices/price_missing'), '/v1/prices/{price}', 'get', 404);
  });
});

describe('charges and payment intents', () => {
  it('reads match the spec', async () => {
    const charges = await h.call('GET', '/v1/charges?limit=10&expand[]=data.balance_transaction&expand[]=data.payment_intent');
    conforms(charges, '/v1/charges', 'get', 200);
    const id = charges.body.data[0].id;
    conforms(await h.call('GET', `/v1/charges/${id}?expand[]=invoice&expand[]=customer`), '/v1/charges/{charge}', 'get', 200);
    conforms(await h.call('GET', `/v1/charges/search?query=${q('status:"failed"')}`), '/v1/charges/search', 'get', 200);
    conforms(await h.call('GET', '/v1/charges/ch_missing'), '/v1/charges/{charge}', 'get', 404);
    const intents = await h.call('GET', '/v1/payment_intents?limit=10');
    conforms(intents, '/v1/payment_intents', 'get', 200);
    conforms(
      await h.call('GET', `/v1/payment_intents/${intents.body.data[0].id}?expand[]=latest_charge&expand[]=payment_method`),
      '/v1/payment_intents/{intent}',
      'get',
      200,
    );
    conforms(
      await h.call('GET', `/v1/payment_intents/search?query=${q('status:"requires_payment_method"')}`),
      '/v1/payment_intents/search',
      'get',
      200,
    );
  });

  it('payment intent writes match the spec', async () => {
    const customer = (await h.call('POST', '/v1/customers', { form: 'email=pi%40example.com' })).body.id;
    const created = await h.call('POST', '/v1/payment_intents', {
      form: `amount=4200&currency=usd&customer=${customer}&metadata[order]=7`,
    });
    conforms(created, '/v1/payment_intents', 'post', 200);
    conforms(
      await h.call('POST', `/v1/payment_intents/${created.body.id}`, { form: 'description=Order 7' }),
      '/v1/payment_intents/{intent}',
      'post',
      200,
    );
    conforms(
      await h.call('POST', `/v1/payment_intents/${created.body.id}/cancel`, { form: 'cancellation_reason=abandoned' }),
      '/v1/payment_intents/{intent}/cancel',
      'post',
      200,
    );
    conforms(await h.call('POST', `/v1/payment_intents/${created.body.id}/cancel`), '/v1/payment_intents/{intent}/cancel', 'post', 400);
    conforms(await h.call('POST', '/v1/payment_intents', { form: 'currency=usd' }), '/v1/payment_intents', 'post', 400);
    const confirmed = await h.call('POST', '/v1/payment_intents', {
      form: `amount=999&currency=usd&customer=${customer}&confirm=true&payment_method=pm_card_visa`,
    });
    conforms(confirmed, '/v1/payment_intents', 'post', 200);
    expect(confirmed.body.status).toBe('succeeded');
  });
});

describe('events', () => {
  it('list and get match the spec', async () => {
    const list = await h.call('GET', '/v1/events?limit=50');
    conforms(list, '/v1/events', 'get', 200);
    expect(list.body.data.length).toBeGreaterThan(0);
    conforms(await h.call('GET', `/v1/events/${list.body.data[0].id}`), '/v1/events/{id}', 'get', 200);
    conforms(await h.call('GET', '/v1/events?type=invoice.*&limit=5'), '/v1/events', 'get', 200);
    conforms(await h.call('GET', '/v1/events/evt_missing'), '/v1/events/{id}', 'get', 404);
  });
});

describe('coverage', () => {
  it('exercised every path and method of the spec', () => {
    const all = Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods as object).map((m) => `${m} ${path}`));
    expect(all.filter((k) => !covered.has(k))).toEqual([]);
  });
});
