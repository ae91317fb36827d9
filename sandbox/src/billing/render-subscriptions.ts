/** Subscriptions and their items as Stripe sends them. */
import type { SubscriptionItemRec, SubscriptionRec } from './records.ts';
import { planJson, priceJson } from './render-catalog.ts';
import { type Json, listObject } from './render-list.ts';
import type { BillingStore } from './store.ts';

export function renderSubscriptionItem(store: BillingStore, sub: SubscriptionRec, item: SubscriptionItemRec): Json {
  return {
    id: item.id,
    object: 'subscription_item',
    billing_thresholds: null,
    created: item.created,
    metadata: { ...item.metadata },
    plan: planJson(store, item.price),
    price: priceJson(store, item.price),
    quantity: item.quantity,
    subscription: sub.id,
    tax_rates: [],
  };
}

export function renderSubscription(store: BillingStore, sub: SubscriptionRec): Json {
  const items = sub.items.map((i) => renderSubscriptionItem(store, sub, i));
  const single = sub.items.length === 1 ? sub.items[0] : null;
  return {
    id: sub.id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { enabled: false },
    billing_cycle_anchor: sub.billingCycleAnchor,
    billing_thresholds: null,
    cancel_at: sub.cancelAt,
    cancel_at_period_end: sub.cancelAtPeriodEnd,
    canceled_at: sub.canceledAt,
    cancellation_details: { ...sub.cancellation },
    collection_method: sub.collectionMethod,
    created: sub.created,
    currency: sub.currency,
    current_period_end: sub.currentPeriodEnd,
    current_period_start: sub.currentPeriodStart,
    customer: sub.customer,
    days_until_due: sub.daysUntilDue,
    default_payment_method: sub.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: sub.description,
    discount: null,
    ended_at: sub.endedAt,
    items: listObject(`/v1/subscription_items?subscription=${sub.id}`, items, false, items.length),
    latest_invoice: sub.latestInvoice,
    livemode: false,
    metadata: { ...sub.metadata },
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    plan: single ? planJson(store, single.price) : null,
    quantity: single ? single.quantity : null,
    schedule: null,
    start_date: sub.startDate,
    status: sub.status,
    test_clock: null,
    transfer_data: null,
    trial_end: sub.trialEnd,
    trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
    trial_start: sub.trialStart,
  };
}
