/** Customer writes: create, update, delete (which cancels the customer's subscriptions, as at Stripe). */
import { assignGiven, begin, commit, create, type OpContext } from './changes.ts';
import type { MetadataPatch } from './params.ts';
import { applyMetadata } from './params.ts';
import type { AddressRec, CustomerRec } from './records.ts';
import type { Json } from './render.ts';
import { cancelSubscription } from './ops-subscriptions.ts';

export interface CustomerInput {
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  description?: string | null;
  balance?: number;
  metadata?: MetadataPatch;
  address?: AddressRec | null;
  invoicePrefix?: string;
  defaultPaymentMethod?: string | null;
  preferredLocales?: string[];
  taxExempt?: CustomerRec['taxExempt'];
}

export function createCustomer(ctx: OpContext, input: CustomerInput): Json {
  const { store } = ctx;
  const id = `cus_${store.ids.body(14)}`;
  const rec: CustomerRec = {
    kind: 'customer',
    id,
    created: store.now(),
    seq: store.seq(),
    email: input.email ?? null,
    name: input.name ?? null,
    phone: input.phone ?? null,
    description: input.description ?? null,
    metadata: applyMetadata({}, input.metadata),
    balance: input.balance ?? 0,
    currency: null,
    address: input.address ?? null,
    invoicePrefix: input.invoicePrefix ?? store.ids.hex(8),
    nextInvoiceSequence: 1,
    defaultPaymentMethod: input.defaultPaymentMethod ?? null,
    preferredLocales: input.preferredLocales ?? [],
    taxExempt: input.taxExempt ?? 'none',
    deleted: false,
  };
  return create(ctx, store.customers, rec, 'customer.created');
}

/** The fields an update copies over as given (metadata is patched instead). */
const UPDATABLE = [
  'email',
  'name',
  'phone',
  'description',
  'balance',
  'address',
  'invoicePrefix',
  'defaultPaymentMethod',
  'preferredLocales',
  'taxExempt',
] as const;

export function updateCustomer(ctx: OpContext, c: CustomerRec, input: CustomerInput): Json {
  const metadata = applyMetadata(c.metadata, input.metadata);
  const pending = begin(ctx, ctx.store.customers, c);
  c.metadata = metadata;
  assignGiven(c, input, UPDATABLE);
  return commit(ctx, pending, ['customer.updated']);
}

export function deleteCustomer(ctx: OpContext, c: CustomerRec): Json {
  const { store } = ctx;
  for (const sub of store.subscriptions.bucket('customer', c.id).toArray()) {
    if (sub.status !== 'canceled' && sub.status !== 'incomplete_expired') cancelSubscription(ctx, sub, {});
  }
  const pending = begin(ctx, store.customers, c);
  c.deleted = true;
  store.customers.remove(c, pending.before);
  // The event carries the customer as it was; the API answers with the deleted stub.
  store.recordEvent('customer.deleted', pending.previous, null, null, ctx.request);
  return { id: c.id, object: 'customer', deleted: true };
}
