/**
 * Records → Stripe wire objects, as API version 2023-08-16 sends them: every field the
 * version documents is present (null when unset), expandable references are ids, amounts
 * are integer minor units and timestamps Unix seconds. The shapes are checked against
 * `specs/stripe.subset.json` by sandbox/test/billing-contract.test.ts.
 */
import { cardFor } from './cards.ts';
import { derivedBody } from './ids.ts';
import type {
  AnyRecord,
  ChargeRec,
  CustomerRec,
  InvoiceItemRec,
  InvoiceRec,
  LineRec,
  PaymentIntentRec,
  PriceRec,
  ProductRec,
  SubscriptionItemRec,
  SubscriptionRec,
} from './records.ts';
import { ACCOUNT_ID, type BillingStore } from './store.ts';

export type Json = Record<string, unknown>;

/** Lists embedded in objects (`invoice.lines`, `subscription.items`) show this many entries. */
export const EMBEDDED_LIST_LIMIT = 10;

const CARD_YEAR = 2026;

export function listObject(url: string, data: unknown[], hasMore: boolean, totalCount?: number): Json {
  const out: Json = { object: 'list', data, has_more: hasMore };
  if (totalCount !== undefined) out.total_count = totalCount;
  out.url = url;
  return out;
}

export function renderCustomer(store: BillingStore, c: CustomerRec): Json {
  if (c.deleted) return { id: c.id, object: 'customer', deleted: true };
  return {
    id: c.id,
    object: 'customer',
    address: c.address ? { ...c.address } : null,
    balance: c.balance,
    created: c.created,
    currency: c.currency,
    default_source: null,
    delinquent: isDelinquent(store, c),
    description: c.description,
    discount: null,
    email: c.email,
    invoice_prefix: c.invoicePrefix,
    invoice_settings: { custom_fields: null, default_payment_method: c.defaultPaymentMethod, footer: null, rendering_options: null },
    livemode: false,
    metadata: { ...c.metadata },
    name: c.name,
    next_invoice_sequence: c.nextInvoiceSequence,
    phone: c.phone,
    preferred_locales: [...c.preferredLocales],
    shipping: null,
    tax_exempt: c.taxExempt,
    test_clock: null,
  };
}

/** Stripe flags a customer whose latest invoice payment failed (an open, attempted or uncollectible invoice). */
function isDelinquent(store: BillingStore, c: CustomerRec): boolean {
  for (const inv of store.invoices.bucket('customer', c.id).descending()) {
    if (inv.status === 'draft' || inv.status === 'void') continue;
    return inv.status === 'uncollectible' || (inv.status === 'open' && inv.attemptCount > 0);
  }
  return false;
}

/** Includable customer fields (`expand[]=subscriptions` …), absent unless asked for since 2020-08-27. */
export function customerIncludable(store: BillingStore, c: CustomerRec, field: string): unknown {
  switch (field) {
    case 'subscriptions': {
      const subs = store.subscriptions
        .bucket('customer', c.id)
        .toArray()
        .filter((s) => s.status !== 'canceled' && s.status !== 'incomplete_expired');
      const newest = subs.slice(-EMBEDDED_LIST_LIMIT).reverse();
      return listObject(
        `/v1/customers/${c.id}/subscriptions`,
        newest.map((s) => renderSubscription(store, s)),
        subs.length > newest.length,
        subs.length,
      );
    }
    case 'sources':
      return listObject(`/v1/customers/${c.id}/sources`, [], false, 0);
    case 'tax_ids':
      return listObject(`/v1/customers/${c.id}/tax_ids`, [], false, 0);
    case 'tax':
      return { automatic_tax: 'unrecognized_location', ip_address: null, location: null };
    case 'cash_balance':
      return null;
    case 'invoice_credit_balance':
      return {};
    default:
      return undefined;
  }
}

export function renderProduct(_store: BillingStore, p: ProductRec): Json {
  return {
    id: p.id,
    object: 'product',
    active: p.active,
    attributes: [],
    created: p.created,
    default_price: p.defaultPrice,
    description: p.description,
    features: [],
    images: [],
    livemode: false,
    metadata: { ...p.metadata },
    name: p.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    type: 'service',
    unit_label: null,
    updated: p.updated,
    url: null,
  };
}

export function renderPrice(_store: BillingStore, p: PriceRec): Json {
  return {
    id: p.id,
    object: 'price',
    active: p.active,
    billing_scheme: 'per_unit',
    created: p.created,
    currency: p.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: p.lookupKey,
    metadata: { ...p.metadata },
    nickname: p.nickname,
    product: p.product,
    recurring: p.recurring
      ? {
          aggregate_usage: null,
          interval: p.recurring.interval,
          interval_count: p.recurring.intervalCount,
          trial_period_days: null,
          usage_type: 'licensed',
        }
      : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: p.recurring ? 'recurring' : 'one_time',
    unit_amount: p.unitAmount,
    unit_amount_decimal: String(p.unitAmount),
  };
}

/** API 2023-08-16 still mirrors a recurring price as a legacy `plan` on items and lines. */
export function renderPlan(_store: BillingStore, p: PriceRec): Json | null {
  if (!p.recurring) return null;
  return {
    id: p.id,
    object: 'plan',
    active: p.active,
    aggregate_usage: null,
    amount: p.unitAmount,
    amount_decimal: String(p.unitAmount),
    billing_scheme: 'per_unit',
    created: p.created,
    currency: p.currency,
    interval: p.recurring.interval,
    interval_count: p.recurring.intervalCount,
    livemode: false,
    metadata: { ...p.metadata },
    nickname: p.nickname,
    product: p.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

function priceJson(store: BillingStore, priceId: string): Json | null {
  const price = store.prices.getAny(priceId);
  return price ? renderPrice(store, price) : null;
}

function planJson(store: BillingStore, priceId: string): Json | null {
  const price = store.prices.getAny(priceId);
  return price ? renderPlan(store, price) : null;
}

export function renderLine(store: BillingStore, line: LineRec): Json {
  const common = {
    amount: line.amount,
    amount_excluding_tax: line.amount,
    currency: line.currency,
    description: line.description,
    discount_amounts: [],
    discountable: line.kind === 'invoiceitem' ? line.discountable : true,
    discounts: [],
  };
  const unit = line.quantity > 0 ? line.amount / line.quantity : line.amount;
  const tail = {
    livemode: false,
    metadata: { ...line.metadata },
    period: { end: line.periodEnd, start: line.periodStart },
    plan: planJson(store, line.price),
    price: priceJson(store, line.price),
    proration: false,
    proration_details: { credited_items: null },
    quantity: line.quantity,
  };
  if (line.kind === 'invoiceitem') {
    return {
      id: line.lineId,
      object: 'line_item',
      ...common,
      invoice_item: line.id,
      ...tail,
      subscription: line.subscription,
      tax_amounts: [],
      tax_rates: [],
      type: 'invoiceitem',
      unit_amount_excluding_tax: String(unit),
    };
  }
  return {
    id: line.id,
    object: 'line_item',
    ...common,
    ...tail,
    subscription: line.subscription,
    subscription_item: line.subscriptionItem,
    tax_amounts: [],
    tax_rates: [],
    type: 'subscription',
    unit_amount_excluding_tax: String(unit),
  };
}

export function invoiceTotal(inv: InvoiceRec): number {
  let total = 0;
  for (const line of inv.lines) total += line.amount;
  return total;
}

const invoiceToken = (id: string) => derivedBody(`tok:${id}`, 40);

export function renderInvoice(store: BillingStore, inv: InvoiceRec): Json {
  const total = invoiceTotal(inv);
  const draft = inv.status === 'draft';
  const lines = inv.lines.slice(0, EMBEDDED_LIST_LIMIT).map((l) => renderLine(store, l));
  const sub = inv.subscription ? store.subscriptions.getAny(inv.subscription) : undefined;
  const token = draft ? null : invoiceToken(inv.id);
  return {
    id: inv.id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Switchboard Sandbox',
    account_tax_ids: null,
    amount_due: total,
    amount_paid: inv.amountPaid,
    amount_remaining: Math.max(0, total - inv.amountPaid),
    amount_shipping: 0,
    application: null,
    application_fee_amount: null,
    attempt_count: inv.attemptCount,
    attempted: inv.attemptCount > 0 || inv.status === 'paid',
    auto_advance: inv.autoAdvance,
    automatic_tax: { enabled: false, status: null },
    billing_reason: inv.billingReason,
    charge: inv.charge,
    collection_method: inv.collectionMethod,
    created: inv.created,
    currency: inv.currency,
    custom_fields: null,
    customer: inv.customer,
    customer_address: null,
    customer_email: inv.customerEmail,
    customer_name: inv.customerName,
    customer_phone: inv.customerPhone,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: inv.description,
    discount: null,
    discounts: [],
    due_date: inv.dueDate,
    effective_at: inv.finalizedAt,
    ending_balance: draft ? null : 0,
    footer: inv.footer,
    from_invoice: null,
    hosted_invoice_url: token ? `https://invoice.stripe.com/i/${ACCOUNT_ID}/test_${token}?s=ap` : null,
    invoice_pdf: token ? `https://pay.stripe.com/invoice/${ACCOUNT_ID}/test_${token}/pdf?s=ap` : null,
    last_finalization_error: null,
    latest_revision: null,
    lines: listObject(`/v1/invoices/${inv.id}/lines`, lines, inv.lines.length > lines.length, inv.lines.length),
    livemode: false,
    metadata: { ...inv.metadata },
    next_payment_attempt: nextPaymentAttempt(inv),
    number: inv.number,
    on_behalf_of: null,
    paid: inv.status === 'paid',
    paid_out_of_band: inv.paidOutOfBand,
    payment_intent: inv.paymentIntent,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: inv.periodEnd,
    period_start: inv.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    quote: null,
    receipt_number: null,
    rendering_options: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: inv.statementDescriptor,
    status: inv.status,
    status_transitions: {
      finalized_at: inv.finalizedAt,
      marked_uncollectible_at: inv.markedUncollectibleAt,
      paid_at: inv.paidAt,
      voided_at: inv.voidedAt,
    },
    subscription: inv.subscription,
    subscription_details: inv.subscription ? { metadata: sub ? { ...sub.metadata } : {} } : null,
    subtotal: total,
    subtotal_excluding_tax: total,
    tax: null,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_tax_amounts: [],
    transfer_data: null,
    webhooks_delivered_at: draft ? null : inv.finalizedAt,
  };
}

/** Automatic collection retries an open invoice three days after the last attempt (Smart Retries off). */
function nextPaymentAttempt(inv: InvoiceRec): number | null {
  if (inv.collectionMethod !== 'charge_automatically' || !inv.autoAdvance) return null;
  if (inv.status === 'draft') return inv.created + 3600;
  if (inv.status === 'open') return (inv.finalizedAt ?? inv.created) + 3 * 86_400 * Math.max(1, inv.attemptCount);
  return null;
}

export function renderInvoiceItem(store: BillingStore, item: InvoiceItemRec): Json {
  const unit = item.quantity > 0 ? item.amount / item.quantity : item.amount;
  return {
    id: item.id,
    object: 'invoiceitem',
    amount: item.amount,
    currency: item.currency,
    customer: item.customer,
    date: item.created,
    description: item.description,
    discountable: item.discountable,
    discounts: [],
    invoice: item.invoice,
    livemode: false,
    metadata: { ...item.metadata },
    period: { end: item.periodEnd, start: item.periodStart },
    plan: planJson(store, item.price),
    price: priceJson(store, item.price),
    proration: false,
    quantity: item.quantity,
    subscription: item.subscription,
    tax_rates: [],
    test_clock: null,
    unit_amount: Number.isInteger(unit) ? unit : null,
    unit_amount_decimal: String(unit),
  };
}

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

export function renderPaymentMethod(store: BillingStore, id: string, customer: string | null): Json {
  const card = cardFor(id, CARD_YEAR);
  const c = customer ? store.customers.getAny(customer) : undefined;
  return {
    id,
    object: 'payment_method',
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: card.postalCode, state: null },
      email: c?.email ?? null,
      name: c?.name ?? null,
      phone: null,
    },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' },
      country: card.country,
      exp_month: card.expMonth,
      exp_year: card.expYear,
      fingerprint: card.fingerprint,
      funding: card.funding,
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: c?.created ?? 0,
    customer,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}

export function renderCharge(store: BillingStore, ch: ChargeRec): Json {
  const card = cardFor(ch.paymentMethod, CARD_YEAR);
  const c = ch.customer ? store.customers.getAny(ch.customer) : undefined;
  const ok = ch.status === 'succeeded';
  return {
    id: ch.id,
    object: 'charge',
    amount: ch.amount,
    amount_captured: ok ? ch.amount : 0,
    amount_refunded: ch.amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: ok ? `txn_1${derivedBody(`txn:${ch.id}`, 23)}` : null,
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: card.postalCode, state: null },
      email: c && !c.deleted ? c.email : null,
      name: c && !c.deleted ? c.name : null,
      phone: null,
    },
    calculated_statement_descriptor: 'SWITCHBOARD',
    captured: ok,
    created: ch.created,
    currency: ch.currency,
    customer: ch.customer,
    description: ch.description,
    destination: null,
    dispute: null,
    disputed: ch.disputed,
    failure_balance_transaction: null,
    failure_code: ch.failureCode,
    failure_message: ch.failureMessage,
    fraud_details: {},
    invoice: ch.invoice,
    livemode: false,
    metadata: { ...ch.metadata },
    on_behalf_of: null,
    order: null,
    outcome: ok
      ? {
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          risk_score: hashScore(ch.id),
          seller_message: 'Payment complete.',
          type: 'authorized',
        }
      : {
          network_status: 'declined_by_network',
          reason: 'generic_decline',
          risk_level: 'normal',
          risk_score: hashScore(ch.id),
          seller_message: 'The bank did not return any further details with this decline.',
          type: 'issuer_declined',
        },
    paid: ok,
    payment_intent: ch.paymentIntent,
    payment_method: ch.paymentMethod,
    payment_method_details: {
      card: {
        amount_authorized: ok ? ch.amount : null,
        brand: card.brand,
        checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' },
        country: card.country,
        exp_month: card.expMonth,
        exp_year: card.expYear,
        fingerprint: card.fingerprint,
        funding: card.funding,
        installments: null,
        last4: card.last4,
        mandate: null,
        network: card.brand,
        network_token: { used: false },
        three_d_secure: null,
        wallet: null,
      },
      type: 'card',
    },
    radar_options: {},
    receipt_email: null,
    receipt_number: null,
    receipt_url: ok ? `https://pay.stripe.com/receipts/invoices/${derivedBody(`rcpt:${ch.id}`, 40)}?s=ap` : null,
    refunded: ch.amountRefunded > 0 && ch.amountRefunded === ch.amount,
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: ch.status,
    transfer_data: null,
    transfer_group: null,
  };
}

const hashScore = (id: string) => (id.charCodeAt(id.length - 1) * 7 + id.charCodeAt(id.length - 2)) % 65;

/** The `api_errors` hash of a declined card, as `last_payment_error` and a 402 body carry it. */
export function declineError(store: BillingStore, chargeId: string, paymentMethod: string | null, customer: string | null): Json {
  const out: Json = {
    charge: chargeId,
    code: 'card_declined',
    decline_code: 'generic_decline',
    doc_url: 'https://stripe.com/docs/error-codes/card-declined',
    message: 'Your card was declined.',
    type: 'card_error',
  };
  if (paymentMethod) out.payment_method = renderPaymentMethod(store, paymentMethod, customer);
  return out;
}

export function renderPaymentIntent(store: BillingStore, pi: PaymentIntentRec): Json {
  return {
    id: pi.id,
    object: 'payment_intent',
    amount: pi.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: pi.amountReceived,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: pi.canceledAt,
    cancellation_reason: pi.cancellationReason,
    capture_method: pi.captureMethod,
    client_secret: `${pi.id}_secret_${derivedBody(`cs:${pi.id}`, 25)}`,
    confirmation_method: 'automatic',
    created: pi.created,
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    invoice: pi.invoice,
    last_payment_error: pi.lastError ? declineError(store, pi.lastError.charge, pi.paymentMethod, pi.customer) : null,
    latest_charge: pi.latestCharge,
    livemode: false,
    metadata: { ...pi.metadata },
    next_action: null,
    on_behalf_of: null,
    payment_method: pi.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    processing: null,
    receipt_email: pi.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: pi.statementDescriptor,
    statement_descriptor_suffix: null,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export function renderRecord(store: BillingStore, rec: AnyRecord): Json {
  switch (rec.kind) {
    case 'customer':
      return renderCustomer(store, rec);
    case 'product':
      return renderProduct(store, rec);
    case 'price':
      return renderPrice(store, rec);
    case 'invoice':
      return renderInvoice(store, rec);
    case 'invoiceitem':
      return renderInvoiceItem(store, rec);
    case 'subscription':
      return renderSubscription(store, rec);
    case 'charge':
      return renderCharge(store, rec);
    case 'payment_intent':
      return renderPaymentIntent(store, rec);
    case 'event':
      return structuredClone(rec.json);
  }
}
