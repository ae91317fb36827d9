/**
 * The queryable fields per resource (docs.stripe.com/search#query-fields-for-…), with their
 * types: `string` fields take `:` (words) and `~` (substring), `token` fields `:` only,
 * `numeric` fields `:` and comparisons. Fields marked `indexed`/`bucket` answer `:` lookups
 * without a scan — the ones a gateway batches on (email, metadata, customer).
 */
import { cardFor } from './cards.ts';
import type { ChargeRec, CustomerRec, InvoiceRec, PaymentIntentRec, SubscriptionRec } from './records.ts';
import { invoiceTotal, renderCharge, renderCustomer, renderInvoice, renderPaymentIntent, renderSubscription } from './render.ts';
import { SearchEngine, type SearchField } from './search.ts';
import type { BillingStore } from './store.ts';

const CARD_YEAR = 2026;

export interface SearchEngines {
  customers: SearchEngine<CustomerRec>;
  invoices: SearchEngine<InvoiceRec>;
  subscriptions: SearchEngine<SubscriptionRec>;
  charges: SearchEngine<ChargeRec>;
  paymentIntents: SearchEngine<PaymentIntentRec>;
}

export function searchEngines(store: BillingStore): SearchEngines {
  const customers = customerFields();
  const invoices = invoiceFields();
  const subscriptions = subscriptionFields();
  const payment_intents = paymentIntentFields();
  const charges = chargeFields();
  return {
    customers: new SearchEngine(store, {
      resource: 'customers',
      table: store.customers,
      fields: customers,
      metadata: (r) => r.metadata,
      render: (r) => renderCustomer(store, r),
    }),
    invoices: new SearchEngine(store, {
      resource: 'invoices',
      table: store.invoices,
      fields: invoices,
      metadata: (r) => r.metadata,
      render: (r) => renderInvoice(store, r),
    }),
    subscriptions: new SearchEngine(store, {
      resource: 'subscriptions',
      table: store.subscriptions,
      fields: subscriptions,
      metadata: (r) => r.metadata,
      render: (r) => renderSubscription(store, r),
    }),
    charges: new SearchEngine(store, {
      resource: 'charges',
      table: store.charges,
      fields: charges,
      metadata: (r) => r.metadata,
      render: (r) => renderCharge(store, r),
    }),
    paymentIntents: new SearchEngine(store, {
      resource: 'payment_intents',
      table: store.paymentIntents,
      fields: payment_intents,
      metadata: (r) => r.metadata,
      render: (r) => renderPaymentIntent(store, r),
    }),
  };
}

/** The fields `GET /v1/customers/search` accepts, and how each reads a record. */
function customerFields(): Record<string, SearchField<CustomerRec>> {
  return {
    created: { type: 'numeric', get: (r) => r.created },
    email: { type: 'string', get: (r) => r.email, indexed: true },
    name: { type: 'string', get: (r) => r.name },
    phone: { type: 'string', get: (r) => r.phone },
  };
}

function invoiceFields(): Record<string, SearchField<InvoiceRec>> {
  return {
    created: { type: 'numeric', get: (r) => r.created, column: 'created' },
    currency: { type: 'token', get: (r) => r.currency, column: 'currency' },
    customer: { type: 'token', get: (r) => r.customer, bucket: 'customer', column: 'customer' },
    last_finalization_error_code: { type: 'token', get: () => null },
    last_finalization_error_type: { type: 'token', get: () => null },
    number: { type: 'string', get: (r) => r.number },
    receipt_number: { type: 'string', get: () => null },
    status: { type: 'token', get: (r) => r.status, column: 'status' },
    subscription: { type: 'token', get: (r) => r.subscription, bucket: 'subscription', column: 'subscription' },
    total: { type: 'numeric', get: (r) => invoiceTotal(r), column: 'total' },
  };
}

function subscriptionFields(): Record<string, SearchField<SubscriptionRec>> {
  return {
    created: { type: 'numeric', get: (r) => r.created },
    status: { type: 'token', get: (r) => r.status },
    canceled_at: { type: 'numeric', get: (r) => r.canceledAt },
  };
}

function paymentIntentFields(): Record<string, SearchField<PaymentIntentRec>> {
  return {
    amount: { type: 'numeric', get: (r) => r.amount, column: 'amount' },
    created: { type: 'numeric', get: (r) => r.created, column: 'created' },
    currency: { type: 'token', get: (r) => r.currency, column: 'currency' },
    customer: { type: 'token', get: (r) => r.customer, bucket: 'customer', column: 'customer' },
    status: { type: 'token', get: (r) => r.status, column: 'status' },
  };
}

function chargeFields(): Record<string, SearchField<ChargeRec>> {
  const card = (r: ChargeRec) => cardFor(r.paymentMethod, CARD_YEAR);
  const charges: Record<string, SearchField<ChargeRec>> = {
    amount: { type: 'numeric', get: (r) => r.amount, column: 'amount' },
    'billing_details.address.postal_code': { type: 'string', get: (r) => card(r).postalCode },
    created: { type: 'numeric', get: (r) => r.created, column: 'created' },
    currency: { type: 'token', get: (r) => r.currency, column: 'currency' },
    customer: { type: 'token', get: (r) => r.customer, bucket: 'customer', column: 'customer' },
    disputed: { type: 'boolean', get: (r) => r.disputed },
    refunded: { type: 'boolean', get: (r) => r.amountRefunded > 0 && r.amountRefunded === r.amount },
    status: { type: 'token', get: (r) => r.status, column: 'status' },
  };
  // Card fields are searchable for every card-like method; the sandbox only has cards.
  for (const method of ['card', 'card_present', 'interac_present']) {
    const own = method === 'card';
    charges[`payment_method_details.${method}.last4`] = { type: 'string', get: (r) => (own ? card(r).last4 : null) };
    charges[`payment_method_details.${method}.exp_month`] = { type: 'numeric', get: (r) => (own ? card(r).expMonth : null) };
    charges[`payment_method_details.${method}.exp_year`] = { type: 'numeric', get: (r) => (own ? card(r).expYear : null) };
    charges[`payment_method_details.${method}.brand`] = { type: 'token', get: (r) => (own ? card(r).brand : null) };
    charges[`payment_method_details.${method}.fingerprint`] = { type: 'token', get: (r) => (own ? card(r).fingerprint : null) };
  }
  return charges;
}
