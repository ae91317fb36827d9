/**
 * Fetching a record by id or failing with Stripe's `resource_missing` (404 for the path id,
 * 400 for a referenced one). `get*` is for writes (the record is kept for mutation);
 * `read*` for GET routes.
 */
import { referenceMissing, resourceMissing } from './errors.ts';
import type {
  ChargeRec,
  CustomerRec,
  InvoiceItemRec,
  InvoiceRec,
  PaymentIntentRec,
  PriceRec,
  ProductRec,
  SubscriptionRec,
} from './records.ts';
import type { BillingStore } from './store.ts';
import type { Table } from './table.ts';

function find<R extends { id: string }>(table: Table<R & { created: number; seq: number }>, noun: string, id: string, param?: string): R {
  const rec = table.get(id);
  if (!rec) throw param ? referenceMissing(noun, id, param) : resourceMissing(noun, id);
  return rec;
}

/** For GET routes: a seeded row is built for the response and not kept (see `Table.peek`). */
function read<R extends { id: string }>(table: Table<R & { created: number; seq: number }>, noun: string, id: string): R {
  const rec = table.peek(id);
  if (!rec) throw resourceMissing(noun, id);
  return rec;
}

/** A customer by id; `param` names the body field when the id came from the body (400 instead of 404). */
export const getCustomer = (store: BillingStore, id: string, param?: string): CustomerRec => find(store.customers, 'customer', id, param);
export const getInvoice = (store: BillingStore, id: string, param?: string): InvoiceRec => find(store.invoices, 'invoice', id, param);
export const getInvoiceItem = (store: BillingStore, id: string, param?: string): InvoiceItemRec =>
  find(store.invoiceItems, 'invoiceitem', id, param);
export const getSubscription = (store: BillingStore, id: string, param?: string): SubscriptionRec =>
  find(store.subscriptions, 'subscription', id, param);
export const getCharge = (store: BillingStore, id: string, param?: string): ChargeRec => find(store.charges, 'charge', id, param);
export const getPaymentIntent = (store: BillingStore, id: string, param?: string): PaymentIntentRec =>
  find(store.paymentIntents, 'payment_intent', id, param);
export const getPrice = (store: BillingStore, id: string, param?: string): PriceRec => find(store.prices, 'price', id, param);
export const getProduct = (store: BillingStore, id: string, param?: string): ProductRec => find(store.products, 'product', id, param);

export const readInvoice = (store: BillingStore, id: string): InvoiceRec => read(store.invoices, 'invoice', id);
export const readCharge = (store: BillingStore, id: string): ChargeRec => read(store.charges, 'charge', id);
export const readPaymentIntent = (store: BillingStore, id: string): PaymentIntentRec => read(store.paymentIntents, 'payment_intent', id);
