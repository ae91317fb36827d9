/**
 * Turns the shared world into a Stripe account: one customer per `world.customers` entry
 * (`metadata.hubspot_contact_id` only where the world links by metadata), about
 * `world.size.subscriptions` subscriptions with their period invoices, and one-off invoices
 * up to about `world.size.invoices` in all — mostly paid, some open, draft, void and
 * uncollectible — with the payment intents and charges their payments left behind.
 *
 * Deterministic from `world.prng.fork('billing')`. Linear in the world size: records are
 * generated in any order and each table is sorted once.
 */
import type { Prng } from '../prng.ts';
import type { World } from '../world.ts';
import { paymentMethodIdFor } from './cards.ts';
import { addInterval, catalogRecords, ONE_TIME_PRICES, PLAN_MIX } from './catalog.ts';
import type {
  ChargeRec,
  CollectionMethod,
  CustomerRec,
  InvoiceItemRec,
  InvoiceRec,
  InvoiceStatus,
  LineRec,
  Metadata,
  PaymentIntentRec,
  PriceRec,
  SubscriptionRec,
  SubscriptionStatus,
} from './records.ts';
import type { BillingStore } from './store.ts';

const DAY = 86_400;
/** Shared by every seeded record without metadata; updates replace metadata objects, never mutate them. */
const NO_METADATA: Metadata = Object.freeze({}) as Metadata;

function weighted<T>(rng: Prng, options: readonly (readonly [T, number])[]): T {
  let r = rng.next();
  for (const [value, weight] of options) {
    if (r < weight) return value;
    r -= weight;
  }
  return options[options.length - 1][0];
}

interface Ctx {
  store: BillingStore;
  rng: Prng;
  now: number;
  prices: Map<string, PriceRec>;
  invoices: InvoiceRec[];
  items: InvoiceItemRec[];
  charges: ChargeRec[];
  intents: PaymentIntentRec[];
}

export function seedBilling(store: BillingStore, world: World, rng: Prng): void {
  const now = Math.floor(world.now / 1000);
  const seq = () => store.seq();
  const catalog = catalogRecords(now - 3 * 365 * DAY, seq);
  store.products.load(catalog.products);
  store.prices.load(catalog.prices);

  const customers: CustomerRec[] = world.customers.map((c) => {
    const prefix = store.ids.hex(8);
    return {
      kind: 'customer',
      id: c.id,
      created: c.created,
      seq: seq(),
      email: c.email,
      name: c.name,
      phone: c.phone,
      description: null,
      metadata: c.linkedByMetadata && c.contactId ? { hubspot_contact_id: c.contactId } : NO_METADATA,
      balance: 0,
      currency: null,
      address: null,
      invoicePrefix: prefix,
      nextInvoiceSequence: 1,
      defaultPaymentMethod: null,
      preferredLocales: [],
      taxExempt: 'none',
      deleted: false,
    };
  });

  const ctx: Ctx = {
    store,
    rng,
    now,
    prices: new Map(catalog.prices.map((p) => [p.id, p])),
    invoices: [],
    items: [],
    charges: [],
    intents: [],
  };

  const subscriptions: SubscriptionRec[] = [];
  if (customers.length > 0) {
    for (let i = 0; i < world.size.subscriptions; i++) subscriptions.push(seedSubscription(ctx, customers[rng.int(0, customers.length - 1)]));
  }
  const oneOff = Math.max(customers.length > 0 ? 1 : 0, world.size.invoices - ctx.invoices.length);
  for (let i = 0; i < oneOff; i++) seedOneOffInvoice(ctx, customers[rng.int(0, customers.length - 1)]);
  // A few invoice items wait for the customer's next invoice (`pending=true`).
  const pending = customers.length > 0 ? Math.max(1, Math.round(world.size.invoices * 0.002)) : 0;
  for (let i = 0; i < pending; i++) {
    const c = customers[rng.int(0, customers.length - 1)];
    const created = Math.max(c.created, now - rng.int(0, 20) * DAY);
    ctx.items.push(invoiceItem(ctx, c.id, null, created, rng.pick(ONE_TIME_PRICES), rng.int(1, 3)));
  }

  store.customers.load(customers);
  store.subscriptions.load(subscriptions);
  store.invoices.load(ctx.invoices);
  store.invoiceItems.load(ctx.items);
  store.charges.load(ctx.charges);
  store.paymentIntents.load(ctx.intents);

  // Numbers follow finalization order per customer, as Stripe's customer-level sequence does.
  const byId = new Map(customers.map((c) => [c.id, c]));
  for (const inv of store.invoices.all()) {
    const c = byId.get(inv.customer)!;
    c.currency = 'usd';
    if (inv.status === 'draft') continue;
    inv.number = `${c.invoicePrefix}-${String(c.nextInvoiceSequence++).padStart(4, '0')}`;
  }
}

function invoiceItem(ctx: Ctx, customer: string, invoice: string | null, created: number, priceId: string, quantity: number, subscription: string | null = null): InvoiceItemRec {
  const price = ctx.prices.get(priceId)!;
  return {
    kind: 'invoiceitem',
    id: ctx.store.ids.next('ii'),
    lineId: ctx.store.ids.next('il'),
    created,
    seq: ctx.store.seq(),
    customer,
    invoice,
    amount: price.unitAmount * quantity,
    currency: price.currency,
    description: price.nickname,
    quantity,
    price: price.id,
    metadata: NO_METADATA,
    periodStart: created,
    periodEnd: created,
    subscription,
    discountable: true,
  };
}

function blankInvoice(ctx: Ctx, c: CustomerRec, created: number, collection: CollectionMethod): InvoiceRec {
  return {
    kind: 'invoice',
    id: ctx.store.ids.next('in'),
    created,
    seq: ctx.store.seq(),
    customer: c.id,
    subscription: null,
    status: 'draft',
    collectionMethod: collection,
    currency: 'usd',
    lines: [],
    number: null,
    description: null,
    footer: null,
    statementDescriptor: null,
    metadata: NO_METADATA,
    daysUntilDue: collection === 'send_invoice' ? 30 : null,
    dueDate: null,
    periodStart: created,
    periodEnd: created,
    billingReason: 'manual',
    autoAdvance: true,
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
}

const total = (inv: InvoiceRec) => inv.lines.reduce((sum, l) => sum + l.amount, 0);

const piDescription = (inv: InvoiceRec) =>
  inv.billingReason === 'subscription_create' ? 'Subscription creation' : inv.billingReason === 'subscription_cycle' ? 'Subscription update' : 'Payment for Invoice';

/** Moves a draft through finalization to `status`, leaving the payment trail Stripe would. */
function settle(ctx: Ctx, c: CustomerRec, inv: InvoiceRec, status: InvoiceStatus, finalizedAt: number): void {
  const { rng, now } = ctx;
  if (status === 'draft') {
    inv.autoAdvance = false;
    return;
  }
  inv.status = status;
  inv.finalizedAt = finalizedAt;
  if (inv.collectionMethod === 'send_invoice') inv.dueDate = finalizedAt + (inv.daysUntilDue ?? 30) * DAY;
  const amount = total(inv);
  const auto = inv.collectionMethod === 'charge_automatically';
  if (auto || amount > 0) c.defaultPaymentMethod ??= paymentMethodIdFor(c.id);
  const pm = c.defaultPaymentMethod ?? paymentMethodIdFor(c.id);

  if (status === 'paid') {
    const paidAt = Math.min(now, auto ? finalizedAt + 3600 : finalizedAt + rng.int(0, 25) * DAY + rng.int(0, DAY));
    inv.paidAt = paidAt;
    inv.amountPaid = amount;
    inv.attemptCount = amount > 0 ? 1 : 0;
    if (amount === 0) return;
    if (!auto && rng.chance(0.08)) {
      inv.paidOutOfBand = true;
      return;
    }
    const pi = intent(ctx, c, inv, paidAt, pm);
    const ch = charge(ctx, c, inv, pi, paidAt, pm, true);
    pi.status = 'succeeded';
    pi.amountReceived = amount;
    pi.latestCharge = ch.id;
    inv.paymentIntent = pi.id;
    inv.charge = ch.id;
    return;
  }
  if (status === 'void') {
    inv.voidedAt = Math.min(now, finalizedAt + rng.int(1, 30) * DAY);
    return;
  }
  // Open or uncollectible: automatic collection left failed attempts behind.
  if (auto && amount > 0) {
    const attempts = status === 'uncollectible' ? 4 : rng.int(1, 3);
    const pi = intent(ctx, c, inv, finalizedAt + 3600, pm);
    let last: ChargeRec | null = null;
    for (let a = 0; a < Math.min(attempts, 3); a++) last = charge(ctx, c, inv, pi, Math.min(now, finalizedAt + 3600 + a * 3 * DAY), pm, false);
    inv.attemptCount = attempts;
    inv.paymentIntent = pi.id;
    inv.charge = last!.id;
    pi.latestCharge = last!.id;
    pi.lastError = { charge: last!.id, code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' };
  }
  if (status === 'uncollectible') inv.markedUncollectibleAt = Math.min(now, finalizedAt + rng.int(20, 60) * DAY);
}

function intent(ctx: Ctx, c: CustomerRec, inv: InvoiceRec, created: number, pm: string): PaymentIntentRec {
  const pi: PaymentIntentRec = {
    kind: 'payment_intent',
    id: ctx.store.ids.next('pi'),
    created,
    seq: ctx.store.seq(),
    amount: total(inv),
    amountReceived: 0,
    currency: inv.currency,
    customer: c.id,
    invoice: inv.id,
    status: 'requires_payment_method',
    latestCharge: null,
    paymentMethod: pm,
    description: piDescription(inv),
    metadata: NO_METADATA,
    canceledAt: null,
    cancellationReason: null,
    lastError: null,
    captureMethod: 'automatic',
    receiptEmail: null,
    statementDescriptor: null,
  };
  ctx.intents.push(pi);
  return pi;
}

function charge(ctx: Ctx, c: CustomerRec, inv: InvoiceRec, pi: PaymentIntentRec, created: number, pm: string, ok: boolean): ChargeRec {
  const { rng } = ctx;
  const amount = total(inv);
  const ch: ChargeRec = {
    kind: 'charge',
    id: ctx.store.ids.next('ch'),
    created,
    seq: ctx.store.seq(),
    amount,
    amountRefunded: ok && rng.chance(0.01) ? amount : 0,
    currency: inv.currency,
    customer: c.id,
    invoice: inv.id,
    paymentIntent: pi.id,
    status: ok ? 'succeeded' : 'failed',
    paymentMethod: pm,
    description: piDescription(inv),
    metadata: NO_METADATA,
    failureCode: ok ? null : 'card_declined',
    failureMessage: ok ? null : 'Your card was declined.',
    disputed: ok && rng.chance(0.003),
  };
  ctx.charges.push(ch);
  return ch;
}

function seedOneOffInvoice(ctx: Ctx, c: CustomerRec): void {
  const { rng, now } = ctx;
  const status = weighted<InvoiceStatus>(rng, [
    ['paid', 0.75],
    ['open', 0.1],
    ['draft', 0.05],
    ['void', 0.06],
    ['uncollectible', 0.04],
  ]);
  const span = Math.max(DAY, now - c.created);
  // Drafts are recent; open invoices are mostly within their 30 days.
  const age = status === 'draft' ? rng.int(0, 14) * DAY : status === 'open' ? rng.int(0, 45) * DAY : Math.floor(rng.next() * span);
  const created = Math.max(c.created, now - age - rng.int(0, DAY));
  const inv = blankInvoice(ctx, c, created, rng.chance(0.6) ? 'send_invoice' : 'charge_automatically');
  const lines = rng.int(1, 3);
  for (let i = 0; i < lines; i++) {
    const price = rng.pick(ONE_TIME_PRICES);
    const quantity = price === 'price_seat' ? rng.int(1, 20) : price === 'price_support_hour' ? rng.int(1, 8) : 1;
    const item = invoiceItem(ctx, c.id, inv.id, created, price, quantity);
    ctx.items.push(item);
    inv.lines.push(item);
  }
  if (rng.chance(0.3)) inv.description = rng.pick(['Thanks for your business!', 'Professional services', 'Q3 add-ons', 'Onboarding and seats']);
  settle(ctx, c, inv, status, Math.min(now, created + 3600));
  ctx.invoices.push(inv);
}

function seedSubscription(ctx: Ctx, c: CustomerRec): SubscriptionRec {
  const { rng, now, store } = ctx;
  const price = ctx.prices.get(weighted(rng, PLAN_MIX))!;
  const recurring = price.recurring!;
  const status = weighted<SubscriptionStatus>(rng, [
    ['active', 0.7],
    ['trialing', 0.05],
    ['past_due', 0.07],
    ['canceled', 0.14],
    ['unpaid', 0.02],
    ['incomplete', 0.02],
  ]);
  const quantity = rng.chance(0.7) ? 1 : rng.int(2, 10);
  const collection: CollectionMethod = rng.chance(0.9) ? 'charge_automatically' : 'send_invoice';
  const periodSeconds = addInterval(0, recurring) || 30 * DAY;
  const maxPeriods = recurring.interval === 'year' ? 2 : 6;
  let periods = status === 'trialing' || status === 'incomplete' ? 1 : rng.int(1, maxPeriods);
  // The subscription cannot start before its customer existed.
  const lifetime = Math.max(1, Math.floor((now - c.created) / periodSeconds));
  periods = Math.min(periods, lifetime);

  // Canceled subscriptions ended a while ago; the others are in their current period now.
  const endedAgo = status === 'canceled' ? rng.int(1, 120) * DAY : 0;
  let currentStart = now - endedAgo - rng.int(0, Math.max(0, Math.min(periodSeconds, now - c.created) - 1));
  if (status === 'incomplete') currentStart = now - rng.int(60, 20 * 3600);
  if (status === 'trialing') currentStart = now - rng.int(0, 13 * DAY);
  const start = Math.max(c.created, addInterval(currentStart, recurring, -(periods - 1)));
  currentStart = addInterval(start, recurring, periods - 1);
  const currentEnd = addInterval(currentStart, recurring);

  const subId = store.ids.next('sub');
  const item = { id: store.ids.next('si'), created: start, price: price.id, quantity, metadata: NO_METADATA };
  const sub: SubscriptionRec = {
    kind: 'subscription',
    id: subId,
    created: start,
    seq: store.seq(),
    customer: c.id,
    status,
    items: [item],
    currency: price.currency,
    currentPeriodStart: currentStart,
    currentPeriodEnd: currentEnd,
    billingCycleAnchor: start,
    startDate: start,
    cancelAt: null,
    cancelAtPeriodEnd: status === 'active' && rng.chance(0.05),
    canceledAt: null,
    endedAt: null,
    trialStart: status === 'trialing' ? start : null,
    trialEnd: status === 'trialing' ? start + 14 * DAY : null,
    latestInvoice: null,
    collectionMethod: collection,
    daysUntilDue: collection === 'send_invoice' ? 30 : null,
    defaultPaymentMethod: null,
    description: null,
    metadata: NO_METADATA,
    cancellation: { reason: null, comment: null, feedback: null },
  };
  if (status === 'trialing') sub.currentPeriodEnd = sub.trialEnd!;
  if (status === 'canceled') {
    sub.canceledAt = Math.min(now, currentStart + rng.int(0, Math.max(1, Math.floor(periodSeconds / DAY) - 1)) * DAY);
    sub.endedAt = sub.canceledAt;
    sub.cancellation = { reason: 'cancellation_requested', comment: null, feedback: rng.pick([null, 'too_expensive', 'switched_service', 'unused', 'missing_features']) };
  }

  for (let k = 0; k < periods; k++) {
    const ps = addInterval(start, recurring, k);
    const pe = status === 'trialing' ? sub.trialEnd! : addInterval(ps, recurring);
    const inv = blankInvoice(ctx, c, ps, collection);
    inv.subscription = subId;
    inv.billingReason = k === 0 ? 'subscription_create' : 'subscription_cycle';
    inv.periodStart = ps;
    inv.periodEnd = ps;
    const amount = status === 'trialing' ? 0 : price.unitAmount * quantity;
    const line: LineRec = {
      kind: 'subscription_line',
      id: store.ids.next('il'),
      subscription: subId,
      subscriptionItem: item.id,
      price: price.id,
      quantity,
      amount,
      currency: price.currency,
      description: status === 'trialing' ? `Trial period for ${price.nickname}` : `${quantity} × ${price.nickname} (at $${(price.unitAmount / 100).toFixed(2)} / ${recurring.interval})`,
      periodStart: ps,
      periodEnd: pe,
      metadata: NO_METADATA,
    };
    inv.lines.push(line);
    const last = k === periods - 1;
    let invStatus: InvoiceStatus = 'paid';
    if (last && (status === 'past_due' || status === 'incomplete')) invStatus = 'open';
    if (last && status === 'unpaid') invStatus = 'uncollectible';
    settle(ctx, c, inv, invStatus, Math.min(now, ps + 3600));
    ctx.invoices.push(inv);
    sub.latestInvoice = inv.id;
  }
  if (collection === 'charge_automatically') sub.defaultPaymentMethod = c.defaultPaymentMethod;
  return sub;
}
