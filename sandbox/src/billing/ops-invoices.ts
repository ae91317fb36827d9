/**
 * Invoices, with Stripe's lifecycle (their items: ops-invoice-items.ts):
 *
 *   draft ──finalize──▶ open ──pay──▶ paid            (total 0: finalize → paid at once)
 *     │                  ├──void──▶ void
 *     │                  └──mark_uncollectible──▶ uncollectible ──pay/void──▶ paid/void
 *     └──delete (drafts only)
 *
 * Lines come from invoice items (`POST /v1/invoiceitems` with `invoice=in_…`) or from a
 * subscription; an item can be added, changed or removed only while its invoice is a draft.
 * Finalizing gives the invoice its number (customer prefix + sequence) and a payment intent;
 * paying confirms that intent (one charge); a declined card answers 402 and leaves the
 * invoice open with `attempt_count` raised. Auto-advance is recorded but nothing advances
 * by itself: the sandbox has no clock-driven jobs.
 */
import { announce, assignGiven, begin, commit, create, type OpContext } from './changes.ts';
import { invalidParam, parameterMissing, stateError } from './errors.ts';
import { attemptPayment, cancelIntent, createIntent, declinedError, resolvePaymentMethod } from './ops-payments.ts';
import { applyMetadata, type MetadataPatch } from './params.ts';
import type { CollectionMethod, CustomerRec, InvoiceRec, InvoiceStatus, SubscriptionLineRec } from './records.ts';
import { invoiceTotal, type Json, renderInvoice } from './render.ts';

const DAY = 86_400;
export const MAX_INVOICE_ITEMS = 250;

export interface InvoiceInput {
  autoAdvance?: boolean;
  collectionMethod?: CollectionMethod;
  daysUntilDue?: number | null;
  dueDate?: number | null;
  description?: string | null;
  footer?: string | null;
  statementDescriptor?: string | null;
  metadata?: MetadataPatch;
  currency?: string;
  subscription?: string | null;
  /** `include` pulls the customer's pending invoice items onto the new draft (2023-08-16 default: exclude). */
  pendingItems?: 'include' | 'exclude';
  billingReason?: InvoiceRec['billingReason'];
  /** Lines billed by a subscription (only subscriptions create these). */
  lines?: SubscriptionLineRec[];
}

export function createInvoice(ctx: OpContext, c: CustomerRec, input: InvoiceInput): InvoiceRec {
  const { store } = ctx;
  const collection = input.collectionMethod ?? 'charge_automatically';
  if (collection === 'send_invoice' && input.daysUntilDue == null && input.dueDate == null) throw parameterMissing('days_until_due');
  if (collection === 'charge_automatically' && (input.daysUntilDue != null || input.dueDate != null)) {
    throw invalidParam(
      input.daysUntilDue != null ? 'days_until_due' : 'due_date',
      'Invoices with `collection_method=charge_automatically` cannot have a due date.',
    );
  }
  const created = store.now();
  const inv: InvoiceRec = {
    kind: 'invoice',
    id: store.ids.next('in'),
    created,
    seq: store.seq(),
    customer: c.id,
    subscription: input.subscription ?? null,
    status: 'draft',
    collectionMethod: collection,
    currency: input.currency ?? c.currency ?? 'usd',
    lines: [...(input.lines ?? [])],
    number: null,
    description: input.description ?? null,
    footer: input.footer ?? null,
    statementDescriptor: input.statementDescriptor ?? null,
    metadata: applyMetadata({}, input.metadata),
    daysUntilDue: collection === 'send_invoice' ? (input.daysUntilDue ?? null) : null,
    dueDate: input.dueDate ?? null,
    periodStart: created,
    periodEnd: created,
    billingReason: input.billingReason ?? 'manual',
    // API-created one-off drafts wait for an explicit finalize (auto_advance false), as since 2019-03-14.
    autoAdvance: input.autoAdvance ?? false,
    finalizedAt: null,
    paidAt: null,
    voidedAt: null,
    markedUncollectibleAt: null,
    amountPaid: 0,
    paidOutOfBand: false,
    paymentIntent: null,
    charge: null,
    attemptCount: 0,
    customerEmail: c.email,
    customerName: c.name,
    customerPhone: c.phone,
  };
  if (input.pendingItems === 'include') {
    for (const listed of store.invoiceItems.bucket('customer', c.id).toArray()) {
      if (listed.invoice !== null || listed.currency !== inv.currency) continue;
      const item = store.invoiceItems.get(listed.id)!;
      if (inv.lines.length >= MAX_INVOICE_ITEMS) break;
      const before = structuredClone(item);
      item.invoice = inv.id;
      store.invoiceItems.reindex(item, before);
      inv.lines.push(item);
    }
  }
  c.currency ??= inv.currency;
  create(ctx, store.invoices, inv, 'invoice.created');
  return inv;
}

export function requireDraft(inv: InvoiceRec): void {
  if (inv.status !== 'draft') {
    throw stateError(
      'invoice_not_editable',
      `The invoice ${inv.id} can no longer be edited because it is ${inv.status}. Instead, consider creating additional invoice items that will be applied to the next invoice.`,
    );
  }
}

export function updateInvoice(ctx: OpContext, inv: InvoiceRec, input: InvoiceInput): Json {
  const draftOnly =
    input.collectionMethod !== undefined || input.daysUntilDue !== undefined || input.dueDate !== undefined || input.currency !== undefined;
  if (draftOnly) requireDraft(inv);
  if (inv.status === 'void' && (input.description !== undefined || input.footer !== undefined || input.autoAdvance !== undefined)) {
    throw stateError('invoice_not_editable', `The invoice ${inv.id} is void; only its metadata can be updated.`);
  }
  const collection = input.collectionMethod ?? inv.collectionMethod;
  const daysUntilDue = input.daysUntilDue !== undefined ? input.daysUntilDue : inv.daysUntilDue;
  const dueDate = input.dueDate !== undefined ? input.dueDate : inv.dueDate;
  if (collection === 'send_invoice' && daysUntilDue == null && dueDate == null) throw parameterMissing('days_until_due');
  const metadata = applyMetadata(inv.metadata, input.metadata);
  const pending = begin(ctx, ctx.store.invoices, inv);
  inv.metadata = metadata;
  inv.collectionMethod = collection;
  inv.daysUntilDue = collection === 'send_invoice' ? daysUntilDue : null;
  inv.dueDate = collection === 'send_invoice' ? dueDate : null;
  assignGiven(inv, input, ['autoAdvance', 'description', 'footer', 'statementDescriptor']);
  return commit(ctx, pending, ['invoice.updated']);
}

export function deleteInvoice(ctx: OpContext, inv: InvoiceRec): Json {
  if (inv.status !== 'draft') throw stateError(null, `You can only delete draft invoices. This invoice is ${inv.status}; void it instead.`);
  const { store } = ctx;
  const pending = begin(ctx, store.invoices, inv);
  for (const line of inv.lines) if (line.kind === 'invoiceitem') store.invoiceItems.remove(line, line);
  store.invoices.remove(inv, pending.before);
  announce(ctx, 'invoice.deleted', pending.previous);
  return { id: inv.id, object: 'invoice', deleted: true };
}

function finalizeInPlace(ctx: OpContext, inv: InvoiceRec, autoAdvance: boolean | undefined): string[] {
  const { store } = ctx;
  const now = store.now();
  const c = store.customers.getAny(inv.customer);
  if (c) {
    // The sequence is the customer's; Stripe sends no customer event for it.
    inv.number = `${c.invoicePrefix}-${String(c.nextInvoiceSequence++).padStart(4, '0')}`;
    if (!c.deleted) {
      inv.customerEmail = c.email;
      inv.customerName = c.name;
      inv.customerPhone = c.phone;
    }
  }
  inv.status = 'open';
  inv.finalizedAt = now;
  if (autoAdvance !== undefined) inv.autoAdvance = autoAdvance;
  if (inv.collectionMethod === 'send_invoice' && inv.dueDate === null) inv.dueDate = now + (inv.daysUntilDue ?? 30) * DAY;
  const total = invoiceTotal(inv);
  if (total === 0) {
    inv.status = 'paid';
    inv.paidAt = now;
    return ['invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded', 'invoice.updated'];
  }
  const pi = createIntent(ctx, {
    amount: total,
    currency: inv.currency,
    customer: inv.customer,
    invoice: inv.id,
    description:
      inv.billingReason === 'subscription_create'
        ? 'Subscription creation'
        : inv.billingReason === 'subscription_cycle'
          ? 'Subscription update'
          : 'Payment for Invoice',
    paymentMethod: null,
  });
  inv.paymentIntent = pi.id;
  return ['invoice.finalized', 'invoice.updated'];
}

export function finalizeInvoice(ctx: OpContext, inv: InvoiceRec, options: { autoAdvance?: boolean } = {}): Json {
  if (inv.status !== 'draft') throw stateError(null, "This invoice is already finalized, you can't re-finalize a non-draft invoice.");
  const pending = begin(ctx, ctx.store.invoices, inv);
  const events = finalizeInPlace(ctx, inv, options.autoAdvance);
  return commit(ctx, pending, events);
}

export interface PayOptions {
  paidOutOfBand?: boolean;
  paymentMethod?: string | null;
  forgive?: boolean;
}

export function payInvoice(ctx: OpContext, inv: InvoiceRec, options: PayOptions = {}): Json {
  const { store } = ctx;
  if (inv.status === 'paid') throw stateError(null, 'Invoice is already paid');
  if (inv.status === 'void') throw stateError(null, 'This invoice is void and can no longer be paid.');
  if (inv.status === 'draft') finalizeInvoice(ctx, inv);
  // A zero-total draft is paid by finalizing it.
  if ((inv.status as InvoiceStatus) === 'paid') return renderInvoice(store, inv);

  const total = invoiceTotal(inv);
  const now = store.now();
  if (options.paidOutOfBand) {
    const pending = begin(ctx, store.invoices, inv);
    const pi = inv.paymentIntent ? store.paymentIntents.get(inv.paymentIntent) : undefined;
    if (pi && pi.status !== 'succeeded' && pi.status !== 'canceled') cancelIntent(ctx, pi, null, true);
    inv.status = 'paid';
    inv.paidOutOfBand = true;
    inv.amountPaid = total;
    inv.paidAt = now;
    return commit(ctx, pending, ['invoice.paid', 'invoice.updated']);
  }

  const c = store.customers.getAny(inv.customer) ?? null;
  const method = resolvePaymentMethod(c && !c.deleted ? c : null, options.paymentMethod);
  let pi = inv.paymentIntent ? store.paymentIntents.get(inv.paymentIntent) : undefined;
  if (!pi || pi.status === 'canceled') {
    pi = createIntent(ctx, {
      amount: total,
      currency: inv.currency,
      customer: inv.customer,
      invoice: inv.id,
      description: 'Payment for Invoice',
      paymentMethod: null,
    });
  }
  const ch = attemptPayment(ctx, pi, method);
  const pending = begin(ctx, store.invoices, inv);
  inv.paymentIntent = pi.id;
  inv.charge = ch.id;
  inv.attemptCount += 1;
  if (ch.status !== 'succeeded') {
    commit(ctx, pending, ['invoice.payment_failed', 'invoice.updated']);
    throw declinedError(ctx, pi, ch);
  }
  inv.status = 'paid';
  inv.amountPaid = total;
  inv.paidAt = now;
  return commit(ctx, pending, ['invoice.paid', 'invoice.payment_succeeded', 'invoice.updated']);
}

export function voidInvoice(ctx: OpContext, inv: InvoiceRec): Json {
  if (inv.status === 'draft') throw stateError(null, 'You can only void an invoice that has been finalized. Delete the draft instead.');
  if (inv.status === 'paid') throw stateError(null, 'You cannot void a paid invoice.');
  if (inv.status === 'void') throw stateError(null, 'This invoice is already void.');
  const { store } = ctx;
  const pending = begin(ctx, store.invoices, inv);
  const pi = inv.paymentIntent ? store.paymentIntents.get(inv.paymentIntent) : undefined;
  if (pi && pi.status !== 'succeeded' && pi.status !== 'canceled') cancelIntent(ctx, pi, 'void_invoice', true);
  inv.status = 'void';
  inv.voidedAt = store.now();
  return commit(ctx, pending, ['invoice.voided', 'invoice.updated']);
}

export function markUncollectible(ctx: OpContext, inv: InvoiceRec): Json {
  if (inv.status !== 'open') throw stateError(null, `You can only mark an open invoice as uncollectible; this invoice is ${inv.status}.`);
  const pending = begin(ctx, ctx.store.invoices, inv);
  inv.status = 'uncollectible';
  inv.markedUncollectibleAt = ctx.store.now();
  return commit(ctx, pending, ['invoice.marked_uncollectible', 'invoice.updated']);
}
