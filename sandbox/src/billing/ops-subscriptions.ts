/**
 * Subscriptions: creating one bills its first period at once (invoice → finalize → pay with
 * the customer's card), as Stripe does with `payment_behavior=allow_incomplete`; a declined
 * card leaves it `incomplete` with an open invoice. A trial bills $0 and starts `trialing`.
 * Item changes take effect without proration invoices, and periods do not roll over on
 * their own (no clock).
 */
import { addInterval } from './catalog.ts';
import { announce, assignGiven, begin, commit, create, type OpContext } from './changes.ts';
import { invalidParam, parameterMissing, StripeError, stateError } from './errors.ts';
import { getPrice } from './lookups.ts';
import { createInvoice, finalizeInvoice, payInvoice } from './ops-invoices.ts';
import { applyMetadata, type MetadataPatch } from './params.ts';
import type {
  CollectionMethod,
  CustomerRec,
  InvoiceRec,
  PriceRec,
  SubscriptionItemRec,
  SubscriptionLineRec,
  SubscriptionRec,
} from './records.ts';
import { type Json, renderSubscription } from './render.ts';
import type { BillingStore } from './store.ts';

const DAY = 86_400;

export interface SubscriptionItemInput {
  id?: string;
  price?: string;
  quantity?: number;
  metadata?: MetadataPatch;
  deleted?: boolean;
}

export interface SubscriptionInput {
  items?: SubscriptionItemInput[];
  collectionMethod?: CollectionMethod;
  daysUntilDue?: number | null;
  metadata?: MetadataPatch;
  description?: string | null;
  trialPeriodDays?: number;
  trialEnd?: number | 'now';
  defaultPaymentMethod?: string | null;
  paymentBehavior?: 'allow_incomplete' | 'default_incomplete' | 'error_if_incomplete' | 'pending_if_incomplete';
  cancelAtPeriodEnd?: boolean;
  cancelAt?: number | null;
  cancellationDetails?: { comment?: string | null; feedback?: string | null };
}

function recurringPrice(ctx: OpContext, id: string, param: string): PriceRec {
  const price = getPrice(ctx.store, id, param);
  if (!price.recurring)
    throw invalidParam(param, 'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.');
  return price;
}

function sameInterval(prices: PriceRec[]): void {
  const first = prices[0].recurring!;
  for (const p of prices) {
    if (p.recurring!.interval !== first.interval || p.recurring!.intervalCount !== first.intervalCount) {
      throw invalidParam('items', 'All prices on a subscription must have the same `recurring.interval` and `recurring.interval_count`.');
    }
    if (p.currency !== prices[0].currency) throw invalidParam('items', 'All prices on a subscription must have the same currency.');
  }
}

export function createSubscription(ctx: OpContext, c: CustomerRec, input: SubscriptionInput): Json {
  const { store } = ctx;
  const itemInputs = input.items ?? [];
  if (itemInputs.length === 0) throw parameterMissing('items');
  const prices = itemInputs.map((it, i) => {
    if (!it.price) throw parameterMissing(`items[${i}][price]`);
    return recurringPrice(ctx, it.price, `items[${i}][price]`);
  });
  sameInterval(prices);
  const collection = input.collectionMethod ?? 'charge_automatically';
  if (collection === 'send_invoice' && input.daysUntilDue == null) throw parameterMissing('days_until_due');
  const metadata = applyMetadata({}, input.metadata);
  const now = store.now();
  const recurring = prices[0].recurring!;
  const trialEnd = input.trialEnd === 'now' ? null : (input.trialEnd ?? (input.trialPeriodDays ? now + input.trialPeriodDays * DAY : null));
  if (trialEnd !== null && trialEnd <= now)
    throw invalidParam('trial_end', 'Invalid timestamp: must be an integer Unix timestamp in the future.');

  const subId = store.ids.next('sub');
  const items: SubscriptionItemRec[] = itemInputs.map((it, i) => ({
    id: store.ids.next('si'),
    created: now,
    price: prices[i].id,
    quantity: it.quantity ?? 1,
    metadata: applyMetadata({}, it.metadata),
  }));
  const sub: SubscriptionRec = {
    kind: 'subscription',
    id: subId,
    created: now,
    seq: store.seq(),
    customer: c.id,
    status: 'incomplete',
    items,
    currency: prices[0].currency,
    currentPeriodStart: now,
    currentPeriodEnd: trialEnd ?? addInterval(now, recurring),
    billingCycleAnchor: trialEnd ?? now,
    startDate: now,
    cancelAt: input.cancelAt ?? null,
    cancelAtPeriodEnd: input.cancelAtPeriodEnd ?? false,
    canceledAt: null,
    endedAt: null,
    trialStart: trialEnd ? now : null,
    trialEnd,
    latestInvoice: null,
    collectionMethod: collection,
    daysUntilDue: collection === 'send_invoice' ? (input.daysUntilDue ?? null) : null,
    defaultPaymentMethod: input.defaultPaymentMethod ?? null,
    description: input.description ?? null,
    metadata,
    cancellation: { reason: null, comment: null, feedback: null },
  };
  // Stored first (without its event) so the first invoice can refer to it.
  create(ctx, store.subscriptions, sub, null);

  const lines = firstInvoiceLines(store, sub, prices, trialEnd);
  const inv = createInvoice(ctx, c, {
    collectionMethod: collection,
    daysUntilDue: sub.daysUntilDue,
    subscription: subId,
    billingReason: 'subscription_create',
    autoAdvance: true,
    currency: sub.currency,
    lines,
  });
  sub.latestInvoice = inv.id;
  finalizeInvoice(ctx, inv);
  payFirstInvoice(ctx, inv, collection, input);
  if (trialEnd) sub.status = 'trialing';
  else if (inv.status === 'paid' || collection === 'send_invoice') sub.status = 'active';
  else sub.status = 'incomplete';
  const json = renderSubscription(store, sub);
  announce(ctx, 'customer.subscription.created', json);
  return json;
}

/** The first invoice's lines: one per item, zero-priced during a trial. */
function firstInvoiceLines(store: BillingStore, sub: SubscriptionRec, prices: PriceRec[], trialEnd: number | null): SubscriptionLineRec[] {
  return sub.items.map((item, i) => {
    const price = prices[i];
    return {
      kind: 'subscription_line',
      id: store.ids.next('il'),
      subscription: sub.id,
      subscriptionItem: item.id,
      price: price.id,
      quantity: item.quantity,
      amount: trialEnd ? 0 : price.unitAmount * item.quantity,
      currency: price.currency,
      description: trialEnd
        ? `Trial period for ${price.nickname ?? price.id}`
        : `${item.quantity} × ${price.nickname ?? price.id} (at $${(price.unitAmount / 100).toFixed(2)} / ${prices[0].recurring!.interval})`,
      periodStart: sub.created,
      periodEnd: sub.currentPeriodEnd,
      metadata: {},
    };
  });
}

/** Charges the first invoice unless told not to; allow_incomplete turns a decline into an incomplete subscription. */
function payFirstInvoice(ctx: OpContext, inv: InvoiceRec, collection: CollectionMethod, input: SubscriptionInput): void {
  if (inv.status !== 'open' || collection !== 'charge_automatically' || input.paymentBehavior === 'default_incomplete') return;
  try {
    payInvoice(ctx, inv, { paymentMethod: input.defaultPaymentMethod ?? undefined });
  } catch (error) {
    // allow_incomplete: a declined first payment leaves the subscription incomplete, not an error.
    if (!(error instanceof StripeError) || error.status !== 402 || input.paymentBehavior === 'error_if_incomplete') throw error;
  }
}

export function updateSubscription(ctx: OpContext, sub: SubscriptionRec, input: SubscriptionInput): Json {
  const { store } = ctx;
  const ended = sub.status === 'canceled' || sub.status === 'incomplete_expired';
  const onlyMetadata = Object.entries(input).every(([k, v]) => v === undefined || k === 'metadata' || k === 'cancellationDetails');
  if (ended && !onlyMetadata) throw stateError(null, `A canceled subscription can only update its cancellation_details and metadata.`);
  const collection = input.collectionMethod ?? sub.collectionMethod;
  const daysUntilDue = input.daysUntilDue !== undefined ? input.daysUntilDue : sub.daysUntilDue;
  if (collection === 'send_invoice' && daysUntilDue == null) throw parameterMissing('days_until_due');
  const metadata = applyMetadata(sub.metadata, input.metadata);

  // Item changes: `items[n][id]` edits or deletes an item, without `id` adds one.
  let items = sub.items.map((i) => ({ ...i }));
  if (input.items) {
    for (const [n, change] of input.items.entries()) {
      const existing = change.id ? items.find((i) => i.id === change.id) : undefined;
      if (change.id && !existing) throw invalidParam(`items[${n}][id]`, `No such subscription item: '${change.id}'`);
      if (existing && change.deleted) {
        items = items.filter((i) => i !== existing);
        continue;
      }
      const price = change.price ? recurringPrice(ctx, change.price, `items[${n}][price]`) : undefined;
      if (existing) {
        if (price) existing.price = price.id;
        if (change.quantity !== undefined) existing.quantity = change.quantity;
        if (change.metadata) existing.metadata = applyMetadata(existing.metadata, change.metadata);
      } else {
        if (!price) throw parameterMissing(`items[${n}][price]`);
        items.push({
          id: store.ids.next('si'),
          created: store.now(),
          price: price.id,
          quantity: change.quantity ?? 1,
          metadata: applyMetadata({}, change.metadata),
        });
      }
    }
    if (items.length === 0) throw invalidParam('items', 'A subscription must have at least one item.');
    sameInterval(items.map((i) => store.prices.get(i.price)!));
  }

  const pending = begin(ctx, store.subscriptions, sub);
  sub.metadata = metadata;
  sub.items = items;
  sub.collectionMethod = collection;
  sub.daysUntilDue = collection === 'send_invoice' ? daysUntilDue : null;
  assignGiven(sub, input, ['description', 'defaultPaymentMethod']);
  if (input.cancelAtPeriodEnd !== undefined) {
    sub.cancelAtPeriodEnd = input.cancelAtPeriodEnd;
    sub.cancelAt = input.cancelAtPeriodEnd ? sub.currentPeriodEnd : null;
    sub.canceledAt = input.cancelAtPeriodEnd ? store.now() : null;
  }
  if (input.cancelAt !== undefined) {
    sub.cancelAt = input.cancelAt;
    sub.cancelAtPeriodEnd = false;
  }
  if (input.trialEnd === 'now' && sub.status === 'trialing') {
    sub.trialEnd = store.now();
    sub.status = 'active';
  }
  if (input.cancellationDetails) sub.cancellation = { ...sub.cancellation, ...input.cancellationDetails };
  return commit(ctx, pending, ['customer.subscription.updated']);
}

export function cancelSubscription(ctx: OpContext, sub: SubscriptionRec, input: Pick<SubscriptionInput, 'cancellationDetails'>): Json {
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
    throw stateError(
      null,
      `This subscription has already been ${sub.status === 'canceled' ? 'canceled' : 'expired'} and cannot be canceled again.`,
    );
  }
  const now = ctx.store.now();
  const pending = begin(ctx, ctx.store.subscriptions, sub);
  sub.status = 'canceled';
  sub.canceledAt = now;
  sub.endedAt = now;
  sub.cancelAt = null;
  sub.cancelAtPeriodEnd = false;
  sub.cancellation = {
    reason: 'cancellation_requested',
    comment: input.cancellationDetails?.comment ?? null,
    feedback: input.cancellationDetails?.feedback ?? null,
  };
  return commit(ctx, pending, ['customer.subscription.deleted']);
}
