/**
 * Records → Stripe wire objects, as API version 2023-08-16 sends them: every field the
 * version documents is present (null when unset), expandable references are ids, amounts
 * are integer minor units and timestamps Unix seconds. The shapes are checked against
 * `specs/stripe.subset.json` by sandbox/test/billing-contract.test.ts.
 */
import type { AnyRecord, CustomerRec } from './records.ts';
import { renderPrice, renderProduct } from './render-catalog.ts';
import { renderInvoice, renderInvoiceItem } from './render-invoices.ts';
import { EMBEDDED_LIST_LIMIT, type Json, listObject } from './render-list.ts';
import { renderCharge, renderPaymentIntent } from './render-payments.ts';
import { renderSubscription } from './render-subscriptions.ts';
import type { BillingStore } from './store.ts';

// One module per kind of object; the routes and operations import them all from here.
export { renderPlan, renderPrice, renderProduct } from './render-catalog.ts';
export { invoiceTotal, renderInvoice, renderInvoiceItem, renderLine } from './render-invoices.ts';
export { EMBEDDED_LIST_LIMIT, type Json, listObject } from './render-list.ts';
export { declineError, renderCharge, renderPaymentIntent, renderPaymentMethod } from './render-payments.ts';
export { renderSubscription, renderSubscriptionItem } from './render-subscriptions.ts';

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

/** Each kind of record's renderer; events replay the JSON they were stored with. */
const RENDERERS: { readonly [K in AnyRecord['kind']]: (store: BillingStore, rec: Extract<AnyRecord, { kind: K }>) => Json } = {
  customer: renderCustomer,
  product: renderProduct,
  price: renderPrice,
  invoice: renderInvoice,
  invoiceitem: renderInvoiceItem,
  subscription: renderSubscription,
  charge: renderCharge,
  payment_intent: renderPaymentIntent,
  event: (_store, rec) => structuredClone(rec.json),
};

export function renderRecord(store: BillingStore, rec: AnyRecord): Json {
  // The table pairs each kind with its renderer; TypeScript cannot follow that through `rec.kind`.
  const render = RENDERERS[rec.kind] as (store: BillingStore, rec: AnyRecord) => Json;
  return render(store, rec);
}
