/** `/v1/customers`: list (email is matched exactly, case-sensitive, as Stripe does), search, CRUD. */
import type { BillingApi } from './api.ts';
import { invalidParam, resourceMissing } from './errors.ts';
import { listResponse } from './list.ts';
import { getCustomer } from './lookups.ts';
import { type CustomerInput, createCustomer, deleteCustomer, updateCustomer } from './ops-customers.ts';
import type { Params } from './params.ts';
import type { AddressRec, CustomerRec } from './records.ts';
import { renderCustomer } from './render.ts';
import { allOf, listQuery, type RouteDeps, searchQuery, updateAndDeleteRoutes, withExpand } from './routes-common.ts';
import type { SearchEngines } from './search-fields.ts';

/** The params creating and updating a customer both take. */
const PARAMS = [
  'address',
  'balance',
  'cash_balance',
  'coupon',
  'description',
  'email',
  'expand',
  'invoice_prefix',
  'invoice_settings',
  'metadata',
  'name',
  'next_invoice_sequence',
  'phone',
  'preferred_locales',
  'promotion_code',
  'shipping',
  'source',
  'tax',
  'tax_exempt',
];
const CREATE_PARAMS = [...PARAMS, 'payment_method', 'tax_id_data', 'test_clock'];
const UPDATE_PARAMS = [
  ...PARAMS,
  'bank_account',
  'card',
  'default_alipay_account',
  'default_bank_account',
  'default_card',
  'default_source',
];

function address(p: Params): AddressRec | null | undefined {
  if (!p.has('address')) return undefined;
  const h = p.hash('address')!;
  if (Object.keys(h.raw).length === 0) return null;
  h.allow(['city', 'country', 'line1', 'line2', 'postal_code', 'state']);
  return {
    city: h.nullableString('city') ?? null,
    country: h.nullableString('country') ?? null,
    line1: h.nullableString('line1') ?? null,
    line2: h.nullableString('line2') ?? null,
    postal_code: h.nullableString('postal_code') ?? null,
    state: h.nullableString('state') ?? null,
  };
}

function customerInput(p: Params, allowed: string[]): CustomerInput {
  p.allow(allowed);
  const invoiceSettings = p.hash('invoice_settings');
  invoiceSettings?.allow(['custom_fields', 'default_payment_method', 'footer', 'rendering_options']);
  const locales = p.array('preferred_locales');
  const prefix = p.string('invoice_prefix');
  if (prefix !== undefined && !/^[A-Z0-9]{3,12}$/.test(prefix))
    throw invalidParam('invoice_prefix', 'Invalid invoice_prefix: must be 3–12 uppercase letters or numbers.');
  return {
    email: p.nullableString('email', 512),
    name: p.nullableString('name', 256),
    phone: p.nullableString('phone', 20),
    description: p.nullableString('description'),
    balance: p.int('balance'),
    metadata: p.metadata(),
    address: address(p),
    invoicePrefix: prefix,
    defaultPaymentMethod: invoiceSettings?.nullableString('default_payment_method'),
    preferredLocales: locales?.map(String),
    taxExempt: p.enum('tax_exempt', ['none', 'exempt', 'reverse'] as const),
  };
}

export function customerRoutes(api: BillingApi, engines: SearchEngines, deps: RouteDeps): void {
  api.get('/v1/customers', (ctx) => {
    const q = listQuery(ctx.params, ['email', 'test_clock']);
    const email = ctx.params.string('email', { max: 512 });
    const { store } = ctx;
    return listResponse(store, q, {
      url: '/v1/customers',
      table: store.customers,
      filter: allOf<CustomerRec>(email !== undefined && ((c) => c.email === email)),
      render: (c) => renderCustomer(store, c),
    });
  });

  api.get('/v1/customers/search', (ctx) => engines.customers.search(searchQuery(ctx.params), deps.searchLagMs()));

  api.get('/v1/customers/:id', (ctx) => {
    ctx.params.allow(['expand']);
    const c = ctx.store.customers.getAny(ctx.req.params.id);
    if (!c) throw resourceMissing('customer', ctx.req.params.id);
    return withExpand(ctx, renderCustomer(ctx.store, c));
  });

  api.post('/v1/customers', {
    validate: (p) => customerInput(p, CREATE_PARAMS),
    execute: (ctx, input) => withExpand(ctx, createCustomer(ctx, input)),
  });

  updateAndDeleteRoutes(api, '/v1/customers', {
    get: getCustomer,
    input: (p) => customerInput(p, UPDATE_PARAMS),
    update: updateCustomer,
    remove: deleteCustomer,
  });
}
