/**
 * The queryable fields per resource (docs.stripe.com/search#query-fields-for-…), with their
 * types: `string` fields take `:` (words) and `~` (substring), `token` fields `:` only,
 * `numeric` fields `:` and comparisons. Fields marked `indexed`/`bucket` answer `:` lookups
 * without a scan — the ones a gateway batches on (email, metadata, customer).
 */
import { cardFor } from './cards.ts';
import type { ChargeRec, CustomerRec, InvoiceRec, Metadata, PaymentIntentRec, Row, SubscriptionRec } from './records.ts';
import { invoiceTotal, type Json, renderCharge, renderCustomer, renderInvoice, renderPaymentIntent, renderSubscription } from './render.ts';
import { SearchEngine, type SearchField } from './search.ts';
import type { BillingStore } from './store.ts';
import type { Table } from './table.ts';

const CARD_YEAR = 2026;

export interface SearchEngines {
  customers: SearchEngine<CustomerRec>;
  invoices: SearchEngine<InvoiceRec>;
  subscriptions: SearchEngine<SubscriptionRec>;
  charges: SearchEngine<ChargeRec>;
  paymentIntents: SearchEngine<PaymentIntentRec>;
}

export function searchEngines(store: BillingStore): SearchEngines {
  const engine = <R extends Row & { metadata: Metadata }>(
    resource: string,
    table: Table<R>,
    fields: Record<string, SearchField<R>>,
    render: (store: BillingStore, row: R) => Json,
  ) => new SearchEngine(store, { resource, table, fields, metadata: (r) => r.metadata, render: (r) => render(store, r) });
  return {
    customers: engine('customers', store.customers, customerFields(), renderCustomer),
    invoices: engine('invoices', store.invoices, invoiceFields(), renderInvoice),
    subscriptions: engine('subscriptions', store.subscriptions, subscriptionFields(), renderSubscription),
    charges: engine('charges', store.charges, chargeFields(), renderCharge),
    paymentIntents: engine('payment_intents', store.paymentIntents, paymentIntentFields(), renderPaymentIntent),
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

/**
 * The fields seeded invoices, payment intents and charges all hold as columns (see
 * `SeedSource.field`), so a scan on them can skip rows without building them.
 */
function columnFields<R extends InvoiceRec | PaymentIntentRec | ChargeRec>(): Record<string, SearchField<R>> {
  return {
    created: { type: 'numeric', get: (r) => r.created, column: 'created' },
    currency: { type: 'token', get: (r) => r.currency, column: 'currency' },
    customer: { type: 'token', get: (r) => r.customer, bucket: 'customer', column: 'customer' },
    status: { type: 'token', get: (r) => r.status, column: 'status' },
  };
}

function invoiceFields(): Record<string, SearchField<InvoiceRec>> {
  return {
    ...columnFields<InvoiceRec>(),
    last_finalization_error_code: { type: 'token', get: () => null },
    last_finalization_error_type: { type: 'token', get: () => null },
    number: { type: 'string', get: (r) => r.number },
    receipt_number: { type: 'string', get: () => null },
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
    ...columnFields<PaymentIntentRec>(),
    amount: { type: 'numeric', get: (r) => r.amount, column: 'amount' },
  };
}

function chargeFields(): Record<string, SearchField<ChargeRec>> {
  const card = (r: ChargeRec) => cardFor(r.paymentMethod, CARD_YEAR);
  const charges: Record<string, SearchField<ChargeRec>> = {
    ...columnFields<ChargeRec>(),
    amount: { type: 'numeric', get: (r) => r.amount, column: 'amount' },
    'billing_details.address.postal_code': { type: 'string', get: (r) => card(r).postalCode },
    disputed: { type: 'boolean', get: (r) => r.disputed },
    refunded: { type: 'boolean', get: (r) => r.amountRefunded > 0 && r.amountRefunded === r.amount },
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
