/**
 * Invoice items: pending ones wait for a customer's next invoice, others are lines of a draft
 * invoice and can change only while it is a draft. A `unit_amount` without a price gets an
 * inline price, as Stripe creates one.
 */
import { announce, assignGiven, begin, commit, create, type OpContext } from './changes.ts';
import { invalidParam, parameterMissing, referenceMissing, stateError } from './errors.ts';
import { getCustomer, getPrice } from './lookups.ts';
import { MAX_INVOICE_ITEMS, requireDraft } from './ops-invoices.ts';
import { applyMetadata, type MetadataPatch } from './params.ts';
import type { CustomerRec, InvoiceItemRec, InvoiceRec, PriceRec } from './records.ts';
import { type Json, renderInvoiceItem } from './render.ts';

export interface InvoiceItemInput {
  invoice?: InvoiceRec | null;
  price?: string;
  /** Total amount (Stripe's `amount`), or per unit (`unit_amount`). */
  amount?: number;
  unitAmount?: number;
  currency?: string;
  quantity?: number;
  description?: string | null;
  metadata?: MetadataPatch;
  discountable?: boolean;
  periodStart?: number;
  periodEnd?: number;
}

/** `amount`-based items get an inline one-time price, as Stripe creates behind them. */
function inlinePrice(ctx: OpContext, unitAmount: number, currency: string): PriceRec {
  const { store } = ctx;
  const price: PriceRec = {
    kind: 'price',
    id: store.ids.next('price'),
    created: store.now(),
    seq: store.seq(),
    product: 'prod_adhoc',
    unitAmount,
    currency,
    recurring: null,
    nickname: null,
    lookupKey: null,
    active: false,
    metadata: {},
    inline: true,
  };
  store.prices.insert(price);
  return price;
}

/** Validates and prices an item: returns the price id, quantity and total amount. */
function priceItem(
  ctx: OpContext,
  input: InvoiceItemInput,
  current?: InvoiceItemRec,
): { price: string; quantity: number; amount: number; currency: string } {
  const { store } = ctx;
  const quantity = input.quantity ?? current?.quantity ?? 1;
  if (input.price !== undefined) {
    const price = getPrice(store, input.price, 'price');
    if (price.recurring)
      throw invalidParam(
        'price',
        'The price specified is set to `type=recurring` but this field only accepts prices with `type=one_time`.',
      );
    return { price: price.id, quantity, amount: price.unitAmount * quantity, currency: price.currency };
  }
  if (input.amount !== undefined || input.unitAmount !== undefined) {
    const currency = input.currency ?? current?.currency;
    if (!currency) throw parameterMissing('currency');
    const amount = input.amount ?? input.unitAmount! * quantity;
    const unit = quantity > 0 ? Math.round(amount / quantity) : amount;
    return { price: inlinePrice(ctx, unit, currency).id, quantity, amount, currency };
  }
  if (current) {
    const price = store.prices.getAny(current.price);
    return { price: current.price, quantity, amount: (price?.unitAmount ?? 0) * quantity, currency: current.currency };
  }
  throw parameterMissing('amount');
}

export function addInvoiceItem(ctx: OpContext, c: CustomerRec, input: InvoiceItemInput): Json {
  const { store } = ctx;
  const inv = input.invoice ?? null;
  if (inv) {
    if (inv.customer !== c.id) throw invalidParam('invoice', `The invoice ${inv.id} belongs to a different customer than ${c.id}.`);
    requireDraft(inv);
    if (inv.lines.length >= MAX_INVOICE_ITEMS)
      throw invalidParam('invoice', `An invoice can have at most ${MAX_INVOICE_ITEMS} invoice items.`);
  }
  const priced = priceItem(ctx, input);
  if (inv && priced.currency !== inv.currency)
    throw invalidParam(
      'currency',
      `The currency of the invoice item (${priced.currency}) must match the invoice's currency (${inv.currency}).`,
    );
  const metadata = applyMetadata({}, input.metadata);
  const now = store.now();
  const item: InvoiceItemRec = {
    kind: 'invoiceitem',
    id: store.ids.next('ii'),
    lineId: store.ids.next('il'),
    created: now,
    seq: store.seq(),
    customer: c.id,
    invoice: inv?.id ?? null,
    amount: priced.amount,
    currency: priced.currency,
    description: input.description ?? (input.price ? (store.prices.get(priced.price)?.nickname ?? null) : null),
    quantity: priced.quantity,
    price: priced.price,
    metadata,
    periodStart: input.periodStart ?? now,
    periodEnd: input.periodEnd ?? now,
    subscription: null,
    discountable: input.discountable ?? true,
  };
  c.currency ??= item.currency;
  const pending = inv ? begin(ctx, store.invoices, inv) : null;
  const json = create(ctx, store.invoiceItems, item, 'invoiceitem.created');
  if (inv && pending) {
    inv.lines.push(item);
    commit(ctx, pending, ['invoice.updated']);
  }
  return json;
}

function requireEditableItem(ctx: OpContext, item: InvoiceItemRec): InvoiceRec | null {
  if (!item.invoice) return null;
  const inv = ctx.store.invoices.getAny(item.invoice);
  if (inv && inv.status !== 'draft') {
    throw stateError(
      'invoice_not_editable',
      `The invoice item ${item.id} is attached to invoice ${inv.id}, which is no longer a draft, so it can no longer be edited.`,
    );
  }
  return inv ?? null;
}

/** Stripe has no `invoiceitem.updated` event in this version: only the draft's `invoice.updated` records the change. */
export function updateInvoiceItem(ctx: OpContext, item: InvoiceItemRec, input: InvoiceItemInput): Json {
  const inv = requireEditableItem(ctx, item);
  const repriced =
    input.price !== undefined || input.amount !== undefined || input.unitAmount !== undefined || input.quantity !== undefined
      ? priceItem(ctx, input, item)
      : null;
  if (repriced && inv && repriced.currency !== inv.currency)
    throw invalidParam('currency', `The currency of the invoice item must match the invoice's currency (${inv.currency}).`);
  const metadata = applyMetadata(item.metadata, input.metadata);
  const pending = inv ? begin(ctx, ctx.store.invoices, inv) : null;
  item.metadata = metadata;
  if (repriced) {
    item.price = repriced.price;
    item.quantity = repriced.quantity;
    item.amount = repriced.amount;
    item.currency = repriced.currency;
  }
  assignGiven(item, input, ['description', 'discountable', 'periodStart', 'periodEnd']);
  if (pending) commit(ctx, pending, ['invoice.updated']);
  return renderInvoiceItem(ctx.store, item);
}

export function deleteInvoiceItem(ctx: OpContext, item: InvoiceItemRec): Json {
  const inv = requireEditableItem(ctx, item);
  const { store } = ctx;
  const json = renderInvoiceItem(store, item);
  const pending = inv ? begin(ctx, store.invoices, inv) : null;
  store.invoiceItems.remove(item, item);
  announce(ctx, 'invoiceitem.deleted', json);
  if (inv && pending) {
    inv.lines = inv.lines.filter((l) => l !== item);
    commit(ctx, pending, ['invoice.updated']);
  }
  return { id: item.id, object: 'invoiceitem', deleted: true };
}

/** Used by `POST /v1/invoiceitems` to resolve `customer` and `invoice` references (400 when missing). */
export function itemTargets(
  ctx: OpContext,
  customerId: string,
  invoiceId: string | undefined,
): { customer: CustomerRec; invoice: InvoiceRec | null } {
  const customer = getCustomer(ctx.store, customerId, 'customer');
  const invoice = invoiceId ? (ctx.store.invoices.get(invoiceId) ?? null) : null;
  if (invoiceId && !invoice) throw referenceMissing('invoice', invoiceId, 'invoice');
  return { customer, invoice };
}
