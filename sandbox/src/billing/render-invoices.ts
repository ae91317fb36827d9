/** Invoices, their lines and pending invoice items as Stripe sends them. */
import { derivedBody } from './ids.ts';
import type { InvoiceItemRec, InvoiceRec, LineRec } from './records.ts';
import { planJson, priceJson } from './render-catalog.ts';
import { EMBEDDED_LIST_LIMIT, type Json, listObject } from './render-list.ts';
import { ACCOUNT_ID, type BillingStore } from './store.ts';

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

/**
 * One object literal, on purpose: built from spread parts, every invoice became a dictionary-mode
 * object in V8, and serializing an invoice search answer took twice as long (the bench's W4 hot
 * loop went from 70 to 140 ms a request), which would measure the emulator, not the gateway.
 */
// eslint-disable-next-line max-lines-per-function -- one literal keeps V8's fast properties (see above)
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
