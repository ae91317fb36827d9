/** `/v1/subscriptions`: list (canceled ones only on request, as Stripe), search, create, update, cancel (DELETE). */
import type { BillingApi } from './api.ts';
import { invalidParam, parameterMissing } from './errors.ts';
import { listResponse } from './list.ts';
import { getCustomer, getSubscription } from './lookups.ts';
import {
  cancelSubscription,
  createSubscription,
  type SubscriptionInput,
  type SubscriptionItemInput,
  updateSubscription,
} from './ops-subscriptions.ts';
import { inRange, Params } from './params.ts';
import type { SubscriptionRec } from './records.ts';
import { renderSubscription } from './render.ts';
import { allOf, listQuery, type RouteDeps, searchQuery, withExpand } from './routes-common.ts';
import type { SearchEngines } from './search-fields.ts';

/** The params creating and updating a subscription both take. */
const PARAMS = [
  'add_invoice_items',
  'application_fee_percent',
  'automatic_tax',
  'billing_cycle_anchor',
  'billing_thresholds',
  'cancel_at',
  'cancel_at_period_end',
  'collection_method',
  'coupon',
  'days_until_due',
  'default_payment_method',
  'default_source',
  'default_tax_rates',
  'description',
  'expand',
  'items',
  'metadata',
  'off_session',
  'on_behalf_of',
  'payment_behavior',
  'payment_settings',
  'pending_invoice_item_interval',
  'promotion_code',
  'proration_behavior',
  'transfer_data',
  'trial_end',
  'trial_from_plan',
  'trial_settings',
];
const CREATE_PARAMS = [...PARAMS, 'backdate_start_date', 'currency', 'customer', 'trial_period_days'];
const UPDATE_PARAMS = [...PARAMS, 'cancellation_details', 'pause_collection', 'proration_date'];
const LIST_STATUSES = [
  'active',
  'all',
  'canceled',
  'ended',
  'incomplete',
  'incomplete_expired',
  'past_due',
  'paused',
  'trialing',
  'unpaid',
] as const;

function items(p: Params): SubscriptionItemInput[] | undefined {
  const list = p.array('items');
  if (!list) return undefined;
  return list.map((raw, i) => {
    if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParam(`items[${i}]`, 'Invalid object');
    const h = new Params(raw, `items[${i}]`);
    h.allow(['billing_thresholds', 'clear_usage', 'deleted', 'id', 'metadata', 'price', 'price_data', 'quantity', 'tax_rates']);
    return {
      id: h.string('id'),
      price: h.string('price'),
      quantity: h.int('quantity', { min: 0 }),
      metadata: h.metadata(),
      deleted: h.bool('deleted'),
    };
  });
}

function subscriptionInput(p: Params, allowed: string[]): SubscriptionInput & { customer?: string } {
  p.allow(allowed);
  const trialEnd = p.raw.trial_end === 'now' ? 'now' : p.int('trial_end');
  const details = p.hash('cancellation_details');
  details?.allow(['comment', 'feedback']);
  return {
    customer: p.string('customer'),
    items: items(p),
    collectionMethod: p.enum('collection_method', ['charge_automatically', 'send_invoice'] as const),
    daysUntilDue: p.int('days_until_due', { min: 0, max: 730 }),
    metadata: p.metadata(),
    description: p.nullableString('description', 500),
    trialPeriodDays: p.int('trial_period_days', { min: 0, max: 730 }),
    trialEnd,
    defaultPaymentMethod: p.nullableString('default_payment_method'),
    paymentBehavior: p.enum('payment_behavior', [
      'allow_incomplete',
      'default_incomplete',
      'error_if_incomplete',
      'pending_if_incomplete',
    ] as const),
    cancelAtPeriodEnd: p.bool('cancel_at_period_end'),
    cancelAt: p.has('cancel_at') && p.raw.cancel_at === '' ? null : p.int('cancel_at'),
    cancellationDetails: details ? { comment: details.nullableString('comment'), feedback: details.nullableString('feedback') } : undefined,
  };
}

export function subscriptionRoutes(api: BillingApi, engines: SearchEngines, deps: RouteDeps): void {
  api.get('/v1/subscriptions', (ctx) => {
    const q = listQuery(ctx.params, [
      'automatic_tax',
      'collection_method',
      'current_period_end',
      'current_period_start',
      'customer',
      'price',
      'status',
      'test_clock',
    ]);
    const { store, params } = ctx;
    const customer = params.string('customer');
    const price = params.string('price');
    const status = params.enum('status', LIST_STATUSES);
    const collection = params.enum('collection_method', ['charge_automatically', 'send_invoice'] as const);
    const periodEnd = params.range('current_period_end');
    const periodStart = params.range('current_period_start');
    const statusFilter = (s: SubscriptionRec): boolean => {
      if (status === undefined) return s.status !== 'canceled' && s.status !== 'incomplete_expired';
      if (status === 'all') return true;
      if (status === 'ended') return s.status === 'canceled' || s.status === 'incomplete_expired';
      return s.status === status;
    };
    return listResponse(store, q, {
      url: '/v1/subscriptions',
      table: store.subscriptions,
      by: { customer },
      filter: allOf<SubscriptionRec>(
        statusFilter,
        price !== undefined && ((s) => s.items.some((i) => i.price === price)),
        collection !== undefined && ((s) => s.collectionMethod === collection),
        periodEnd !== undefined && ((s) => inRange(s.currentPeriodEnd, periodEnd)),
        periodStart !== undefined && ((s) => inRange(s.currentPeriodStart, periodStart)),
      ),
      render: (s) => renderSubscription(store, s),
    });
  });

  api.get('/v1/subscriptions/search', (ctx) => engines.subscriptions.search(searchQuery(ctx.params), deps.searchLagMs()));

  api.get('/v1/subscriptions/:id', (ctx) => {
    ctx.params.allow(['expand']);
    return withExpand(ctx, renderSubscription(ctx.store, getSubscription(ctx.store, ctx.req.params.id)));
  });

  api.post('/v1/subscriptions', {
    validate: (p) => {
      const input = subscriptionInput(p, CREATE_PARAMS);
      if (!input.customer) throw parameterMissing('customer');
      if (!input.items || input.items.length === 0) throw parameterMissing('items');
      return input;
    },
    execute: (ctx, input) => withExpand(ctx, createSubscription(ctx, getCustomer(ctx.store, input.customer!, 'customer'), input)),
  });

  api.post('/v1/subscriptions/:id', {
    validate: (p) => subscriptionInput(p, UPDATE_PARAMS),
    execute: (ctx, input) => withExpand(ctx, updateSubscription(ctx, getSubscription(ctx.store, ctx.req.params.id), input)),
  });

  api.delete('/v1/subscriptions/:id', (ctx) => {
    const p = ctx.params.allow(['cancellation_details', 'expand', 'invoice_now', 'prorate']);
    p.bool('invoice_now');
    p.bool('prorate');
    const details = p.hash('cancellation_details');
    details?.allow(['comment', 'feedback']);
    const cancellationDetails = details
      ? { comment: details.nullableString('comment'), feedback: details.nullableString('feedback') }
      : undefined;
    return withExpand(ctx, cancelSubscription(ctx, getSubscription(ctx.store, ctx.req.params.id), { cancellationDetails }));
  });
}
