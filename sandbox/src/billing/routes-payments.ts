/** `/v1/charges` (read-only) and `/v1/payment_intents` (list, search, create, update, cancel). */
import type { ApiContext, BillingApi } from './api.ts';
import { parameterMissing } from './errors.ts';
import { listResponse } from './list.ts';
import { getCustomer, getPaymentIntent, readCharge, readPaymentIntent } from './lookups.ts';
import {
  attemptPayment,
  cancelIntent,
  createIntent,
  declinedError,
  type IntentUpdate,
  resolvePaymentMethod,
  updateIntent,
} from './ops-payments.ts';
import type { Params } from './params.ts';
import type { ChargeRec } from './records.ts';
import { type Json, renderCharge, renderPaymentIntent } from './render.ts';
import { allOf, listQuery, type RouteDeps, searchQuery, withExpand } from './routes-common.ts';
import type { SearchEngines } from './search-fields.ts';

const PI_UPDATE_PARAMS = [
  'amount',
  'application_fee_amount',
  'capture_method',
  'currency',
  'customer',
  'description',
  'expand',
  'metadata',
  'payment_method',
  'payment_method_data',
  'payment_method_options',
  'payment_method_types',
  'receipt_email',
  'setup_future_usage',
  'shipping',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'transfer_data',
  'transfer_group',
];
/** Creating takes every update param, plus the ones that only apply at creation (confirmation, mandates, off-session use…). */
const PI_CREATE_PARAMS = [
  ...PI_UPDATE_PARAMS,
  'automatic_payment_methods',
  'confirm',
  'confirmation_method',
  'error_on_requires_action',
  'mandate',
  'mandate_data',
  'off_session',
  'on_behalf_of',
  'radar_options',
  'return_url',
  'use_stripe_sdk',
];

function intentUpdate(p: Params): IntentUpdate {
  return {
    amount: p.int('amount', { min: 50, max: 99_999_999 }),
    currency: p.string('currency')?.toLowerCase(),
    description: p.nullableString('description', 1000),
    metadata: p.metadata(),
    customer: p.nullableString('customer'),
    paymentMethod: p.nullableString('payment_method'),
    receiptEmail: p.nullableString('receipt_email'),
    statementDescriptor: p.nullableString('statement_descriptor', 22),
  };
}

export function paymentRoutes(api: BillingApi, engines: SearchEngines, deps: RouteDeps): void {
  chargeRoutes(api, engines, deps);
  paymentIntentRoutes(api, engines, deps);
}

function chargeRoutes(api: BillingApi, engines: SearchEngines, deps: RouteDeps): void {
  api.get('/v1/charges', listCharges);

  api.get('/v1/charges/search', (ctx) => engines.charges.search(searchQuery(ctx.params), deps.searchLagMs()));

  api.get('/v1/charges/:id', (ctx) => {
    ctx.params.allow(['expand']);
    return withExpand(ctx, renderCharge(ctx.store, readCharge(ctx.store, ctx.req.params.id)));
  });
}

function paymentIntentRoutes(api: BillingApi, engines: SearchEngines, deps: RouteDeps): void {
  api.get('/v1/payment_intents', (ctx) => {
    const q = listQuery(ctx.params, ['customer']);
    const { store, params } = ctx;
    const customer = params.string('customer');
    return listResponse(store, q, {
      url: '/v1/payment_intents',
      table: store.paymentIntents,
      by: { customer },
      render: (pi) => renderPaymentIntent(store, pi),
    });
  });

  api.get('/v1/payment_intents/search', (ctx) => engines.paymentIntents.search(searchQuery(ctx.params), deps.searchLagMs()));

  api.get('/v1/payment_intents/:id', (ctx) => {
    ctx.params.allow(['expand', 'client_secret']);
    return withExpand(ctx, renderPaymentIntent(ctx.store, readPaymentIntent(ctx.store, ctx.req.params.id)));
  });

  api.post('/v1/payment_intents', {
    validate: (p) => {
      p.allow(PI_CREATE_PARAMS);
      const input = intentUpdate(p);
      if (input.amount === undefined) throw parameterMissing('amount');
      if (!input.currency) throw parameterMissing('currency');
      return {
        ...input,
        confirm: p.bool('confirm') ?? false,
        captureMethod: p.enum('capture_method', ['automatic', 'automatic_async', 'manual'] as const),
      };
    },
    execute: (ctx, input) => {
      const { store } = ctx;
      const customer = input.customer ? getCustomer(store, input.customer, 'customer') : null;
      const pi = createIntent(ctx, {
        amount: input.amount!,
        currency: input.currency!,
        customer: customer?.id ?? null,
        invoice: null,
        description: input.description ?? null,
        metadata: input.metadata,
        paymentMethod: input.paymentMethod ?? null,
        captureMethod: input.captureMethod,
        receiptEmail: input.receiptEmail,
        statementDescriptor: input.statementDescriptor,
      });
      if (input.confirm) {
        const method = resolvePaymentMethod(customer, input.paymentMethod);
        const ch = attemptPayment(ctx, pi, method);
        if (ch.status !== 'succeeded') throw declinedError(ctx, pi, ch);
      }
      return withExpand(ctx, renderPaymentIntent(store, pi));
    },
  });

  api.post('/v1/payment_intents/:id', {
    validate: (p) => intentUpdate(p.allow(PI_UPDATE_PARAMS)),
    execute: (ctx, input) => {
      const pi = getPaymentIntent(ctx.store, ctx.req.params.id);
      if (input.customer) getCustomer(ctx.store, input.customer, 'customer');
      return withExpand(ctx, updateIntent(ctx, pi, input));
    },
  });

  api.post('/v1/payment_intents/:id/cancel', {
    validate: (p) =>
      p
        .allow(['cancellation_reason', 'expand'])
        .enum('cancellation_reason', ['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer'] as const) ?? null,
    execute: (ctx, reason) => withExpand(ctx, cancelIntent(ctx, getPaymentIntent(ctx.store, ctx.req.params.id), reason)),
  });
}

/** `GET /v1/charges`: a payment intent's or customer's bucket when one is given, else every charge. */
function listCharges(ctx: ApiContext): Json {
  const q = listQuery(ctx.params, ['customer', 'payment_intent', 'transfer_group']);
  const { store, params } = ctx;
  const customer = params.string('customer');
  const paymentIntent = params.string('payment_intent');
  const transferGroup = params.string('transfer_group');
  return listResponse(store, q, {
    url: '/v1/charges',
    table: store.charges,
    by: { payment_intent: paymentIntent, customer },
    // The sandbox never sets a transfer group, so filtering by one finds nothing.
    filter: allOf<ChargeRec>(transferGroup !== undefined && (() => false)),
    render: (c) => renderCharge(store, c),
  });
}
