/**
 * Fetching a record by id or failing with Stripe's `resource_missing` (404 for the path id,
 * 400 for a referenced one). `get*` is for writes (the record is kept for mutation);
 * `read*` for GET routes.
 */
import { referenceMissing, resourceMissing } from './errors.ts';
import type { Row } from './records.ts';
import type { BillingStore } from './store.ts';
import type { Table } from './table.ts';

function find<R extends Row>(table: Table<R>, id: string, param?: string): R {
  const rec = table.get(id);
  if (!rec) throw param ? referenceMissing(table.noun, id, param) : resourceMissing(table.noun, id);
  return rec;
}

/** For GET routes: a seeded row is built for the response and not kept (see `Table.peek`). */
function read<R extends Row>(table: Table<R>, id: string): R {
  const rec = table.peek(id);
  if (!rec) throw resourceMissing(table.noun, id);
  return rec;
}

/** A customer by id; `param` names the body field when the id came from the body (400 instead of 404). */
export const getCustomer = (store: BillingStore, id: string, param?: string) => find(store.customers, id, param);
export const getInvoice = (store: BillingStore, id: string, param?: string) => find(store.invoices, id, param);
export const getInvoiceItem = (store: BillingStore, id: string, param?: string) => find(store.invoiceItems, id, param);
export const getSubscription = (store: BillingStore, id: string, param?: string) => find(store.subscriptions, id, param);
export const getCharge = (store: BillingStore, id: string, param?: string) => find(store.charges, id, param);
export const getPaymentIntent = (store: BillingStore, id: string, param?: string) => find(store.paymentIntents, id, param);
export const getPrice = (store: BillingStore, id: string, param?: string) => find(store.prices, id, param);
export const getProduct = (store: BillingStore, id: string, param?: string) => find(store.products, id, param);

export const readInvoice = (store: BillingStore, id: string) => read(store.invoices, id);
export const readCharge = (store: BillingStore, id: string) => read(store.charges, id);
export const readPaymentIntent = (store: BillingStore, id: string) => read(store.paymentIntents, id);
