/**
 * Turns the shared world into a Stripe account: one customer per `world.customers` entry
 * (`metadata.hubspot_contact_id` only where the world links by metadata), about
 * `world.size.subscriptions` subscriptions with their period invoices, and one-off invoices
 * up to about `world.size.invoices` in all — mostly paid, some open, draft, void and
 * uncollectible — with the payment intents and charges their payments left behind.
 *
 * Customers, subscriptions and the catalog are ordinary records. Invoices are generated as
 * typed-array columns (20 bytes each) and their items, charges and payment intents are
 * derived from those columns; `seed-sources.ts` materializes any of them on demand. That
 * keeps a 100,000-contact world (500,000 invoices) under two seconds and about 100 MB.
 *
 * Deterministic from `world.prng.fork('billing')`; linear apart from one sort.
 */
import type { Prng } from '../prng.ts';
import type { World } from '../world.ts';
import { paymentMethodIdFor } from './cards.ts';
import { addInterval, catalogRecords, ONE_TIME_PRICES, PLAN_MIX } from './catalog.ts';
import { seededId } from './ids.ts';
import type { CustomerRec, InvoiceItemRec, PriceRec, SubscriptionRec, SubscriptionStatus } from './records.ts';
import { attachSeedSources } from './seed-sources.ts';
import {
  type Csr,
  DAY,
  detailFirst,
  F,
  type InvoiceColumns,
  invoiceColumns,
  NO_METADATA,
  oneOffLineCount,
  S,
  type SeedState,
} from './seed-columns.ts';
import type { BillingStore } from './store.ts';

function weighted<T>(rng: Prng, options: readonly (readonly [T, number])[]): T {
  let r = rng.next();
  for (const [value, weight] of options) {
    if (r < weight) return value;
    r -= weight;
  }
  return options[options.length - 1][0];
}

/** Invoice columns under construction: typed arrays that double when full. */
class Growing {
  length = 0;
  columns: InvoiceColumns;

  constructor(capacity: number) {
    this.columns = invoiceColumns(Math.max(16, capacity));
  }

  push(
    created: number,
    customer: number,
    subscription: number,
    status: number,
    flags: number,
    reason: number,
    price: number,
    quantity: number,
  ): number {
    if (this.length === this.columns.created.length) this.columns = invoiceColumns(this.length * 2, this.columns);
    const c = this.columns;
    const i = this.length++;
    c.created[i] = created;
    c.customer[i] = customer;
    c.subscription[i] = subscription;
    c.status[i] = status;
    c.flags[i] = flags;
    c.reason[i] = reason;
    c.price[i] = price;
    c.quantity[i] = quantity;
    return i;
  }
}

function csr(buckets: number, n: number, order: Int32Array, bucketOf: (index: number) => number): Csr {
  const offsets = new Int32Array(buckets + 1);
  for (let p = 0; p < n; p++) {
    const b = bucketOf(order[p]);
    if (b >= 0) offsets[b + 1]++;
  }
  for (let b = 0; b < buckets; b++) offsets[b + 1] += offsets[b];
  const fill = offsets.slice(0, buckets);
  const positions = new Int32Array(offsets[buckets]);
  for (let p = 0; p < n; p++) {
    const b = bucketOf(order[p]);
    if (b >= 0) positions[fill[b]++] = p;
  }
  return { offsets, positions };
}

export function seedBilling(store: BillingStore, world: World, rng: Prng): void {
  const now = Math.floor(world.now / 1000);
  const salt = Math.floor(rng.next() * 0x7fffffff);
  const catalog = catalogRecords(now - 3 * 365 * DAY, () => store.seq());
  store.products.load(catalog.products);
  store.prices.load(catalog.prices);
  const priceIndex = new Map(catalog.prices.map((p, i) => [p.id, i]));

  const customers: CustomerRec[] = world.customers.map((c) => ({
    kind: 'customer',
    id: c.id,
    created: c.created,
    seq: store.seq(),
    email: c.email,
    name: c.name,
    phone: c.phone,
    description: null,
    metadata: c.linkedByMetadata && c.contactId ? { hubspot_contact_id: c.contactId } : NO_METADATA,
    balance: 0,
    currency: null,
    address: null,
    invoicePrefix: store.ids.hex(8),
    nextInvoiceSequence: 1,
    defaultPaymentMethod: null,
    preferredLocales: [],
    taxExempt: 'none',
    deleted: false,
  }));

  const cols = new Growing(world.size.invoices + world.size.subscriptions * 4);
  const subscriptions: SubscriptionRec[] = [];
  const subscriptionItemIds: string[] = [];
  /** Gives the customer a card once it has paid or is charged automatically. */
  const usesCard = (c: CustomerRec, flags: number, status: number) => {
    if (!(flags & F.SEND_INVOICE) || status === S.PAID) c.defaultPaymentMethod ??= paymentMethodIdFor(c.id);
  };

  if (customers.length > 0) {
    for (let s = 0; s < world.size.subscriptions; s++) {
      const ci = rng.int(0, customers.length - 1);
      const c = customers[ci];
      const price = catalog.prices[priceIndex.get(weighted(rng, PLAN_MIX))!];
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
      const send = rng.chance(0.1);
      const periodSeconds = addInterval(0, recurring);
      const lifetime = Math.max(1, Math.floor((now - c.created) / periodSeconds));
      const periods =
        status === 'trialing' || status === 'incomplete' ? 1 : Math.min(lifetime, rng.int(1, recurring.interval === 'year' ? 2 : 6));
      // Canceled subscriptions ended a while ago; the others are in their current period now.
      const endedAgo = status === 'canceled' ? rng.int(1, 120) * DAY : 0;
      let currentStart = now - endedAgo - rng.int(0, Math.max(0, Math.min(periodSeconds, now - c.created) - 1));
      if (status === 'incomplete') currentStart = now - rng.int(60, 20 * 3600);
      if (status === 'trialing') currentStart = now - rng.int(0, 13 * DAY);
      const start = Math.max(c.created, addInterval(currentStart, recurring, -(periods - 1)));
      currentStart = addInterval(start, recurring, periods - 1);
      const trialEnd = status === 'trialing' ? start + 14 * DAY : null;
      const itemId = store.ids.next('si');
      const sub: SubscriptionRec = {
        kind: 'subscription',
        id: store.ids.next('sub'),
        created: start,
        seq: store.seq(),
        customer: c.id,
        status,
        items: [{ id: itemId, created: start, price: price.id, quantity, metadata: NO_METADATA }],
        currency: price.currency,
        currentPeriodStart: currentStart,
        currentPeriodEnd: trialEnd ?? addInterval(currentStart, recurring),
        billingCycleAnchor: start,
        startDate: start,
        cancelAt: null,
        cancelAtPeriodEnd: status === 'active' && rng.chance(0.05),
        canceledAt: null,
        endedAt: null,
        trialStart: trialEnd ? start : null,
        trialEnd,
        latestInvoice: null,
        collectionMethod: send ? 'send_invoice' : 'charge_automatically',
        daysUntilDue: send ? 30 : null,
        defaultPaymentMethod: null,
        description: null,
        metadata: NO_METADATA,
        cancellation: { reason: null, comment: null, feedback: null },
      };
      if (sub.cancelAtPeriodEnd) sub.cancelAt = sub.currentPeriodEnd;
      if (status === 'canceled') {
        sub.canceledAt = Math.min(now, currentStart + rng.int(0, Math.max(1, Math.floor(periodSeconds / DAY) - 1)) * DAY);
        sub.endedAt = sub.canceledAt;
        sub.cancellation = {
          reason: 'cancellation_requested',
          comment: null,
          feedback: rng.pick([null, 'too_expensive', 'switched_service', 'unused', 'missing_features']),
        };
      }
      const si = subscriptions.length;
      subscriptions.push(sub);
      subscriptionItemIds.push(itemId);
      let last = -1;
      for (let k = 0; k < periods; k++) {
        const ps = addInterval(start, recurring, k);
        let invStatus: number = S.PAID;
        if (k === periods - 1 && (status === 'past_due' || status === 'incomplete')) invStatus = S.OPEN;
        if (k === periods - 1 && status === 'unpaid') invStatus = S.UNCOLLECTIBLE;
        const flags = (send ? F.SEND_INVOICE : 0) | (trialEnd ? F.TRIAL : 0);
        usesCard(c, flags, invStatus);
        last = cols.push(ps, ci, si, invStatus, flags, k === 0 ? 1 : 2, priceIndex.get(price.id)!, quantity);
      }
      sub.latestInvoice = seededId('in', last, salt);
      if (!send) sub.defaultPaymentMethod = c.defaultPaymentMethod;
    }
  }

  const oneOff = customers.length > 0 ? Math.max(1, world.size.invoices - cols.length) : 0;
  for (let k = 0; k < oneOff; k++) {
    const ci = rng.int(0, customers.length - 1);
    const c = customers[ci];
    const status = weighted<number>(rng, [
      [S.PAID, 0.75],
      [S.OPEN, 0.1],
      [S.DRAFT, 0.05],
      [S.VOID, 0.06],
      [S.UNCOLLECTIBLE, 0.04],
    ]);
    const span = Math.max(DAY, now - c.created);
    // Drafts are recent; open invoices are mostly within their 30 days.
    const age = status === S.DRAFT ? rng.int(0, 14) * DAY : status === S.OPEN ? rng.int(0, 45) * DAY : Math.floor(rng.next() * span);
    const created = Math.max(c.created, now - age - rng.int(0, DAY));
    const send = rng.chance(0.6);
    const flags = (send ? F.SEND_INVOICE : 0) | (send && status === S.PAID && rng.chance(0.08) ? F.OUT_OF_BAND : 0);
    usesCard(c, flags, status);
    cols.push(created, ci, -1, status, flags, 0, 0, 0);
  }

  // A few invoice items wait for their customer's next invoice (`pending=true`); being
  // ordinary records they need no column form.
  const pendingCount = customers.length > 0 ? Math.max(1, Math.round(world.size.invoices * 0.002)) : 0;
  const pending: InvoiceItemRec[] = [];
  for (let k = 0; k < pendingCount; k++) {
    const c = customers[rng.int(0, customers.length - 1)];
    const price = catalog.prices[priceIndex.get(rng.pick(ONE_TIME_PRICES))!];
    const quantity = rng.int(1, 3);
    const created = Math.max(c.created, now - rng.int(0, 20) * DAY);
    pending.push({
      kind: 'invoiceitem',
      id: store.ids.next('ii'),
      lineId: store.ids.next('il'),
      created,
      seq: store.seq(),
      customer: c.id,
      invoice: null,
      amount: price.unitAmount * quantity,
      currency: price.currency,
      description: price.nickname,
      quantity,
      price: price.id,
      metadata: NO_METADATA,
      periodStart: created,
      periodEnd: created,
      subscription: null,
      discountable: true,
    });
  }

  const state = finishColumns(cols, cols.length, now, salt, customers, subscriptions, subscriptionItemIds, catalog.prices);
  // `load` sorts its array in place; the columns index the generation order, so hand it copies.
  store.customers.load([...customers]);
  store.subscriptions.load([...subscriptions]);
  store.invoiceItems.load(pending);
  attachSeedSources(store, state);
}

function finishColumns(
  cols: Growing,
  n: number,
  now: number,
  salt: number,
  customers: CustomerRec[],
  subscriptions: SubscriptionRec[],
  subscriptionItemIds: string[],
  prices: PriceRec[],
): SeedState {
  const { created, customer, subscription, status, flags, reason, price, quantity } = invoiceColumns(n, cols.columns);

  const order = new Int32Array(n);
  if (n < 2 ** 21) {
    // created < 2^32 and index < 2^21 pack exactly into a double: a native numeric sort.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = created[i] * 2 ** 21 + i;
    keys.sort();
    for (let p = 0; p < n; p++) order[p] = keys[p] % 2 ** 21;
  } else {
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => created[a] - created[b] || a - b);
  }
  const positionOf = new Int32Array(n);
  for (let p = 0; p < n; p++) positionOf[order[p]] = p;

  // Invoice numbers follow finalization order per customer, as Stripe's customer sequence does.
  const numberSeq = new Int32Array(n);
  const counters = new Int32Array(customers.length);
  for (let p = 0; p < n; p++) {
    const i = order[p];
    if (status[i] !== S.DRAFT) numberSeq[i] = ++counters[customer[i]];
  }
  for (let ci = 0; ci < customers.length; ci++) customers[ci].nextInvoiceSequence = counters[ci] + 1;
  for (let i = 0; i < n; i++) customers[customer[i]].currency = 'usd';

  const itemPrefix = new Int32Array(n + 1);
  const intentPrefix = new Int32Array(n + 1);
  const chargePrefix = new Int32Array(n + 1);
  for (let p = 0; p < n; p++) {
    const i = order[p];
    const st = status[i];
    const f = flags[i];
    const lines = subscription[i] >= 0 ? 0 : oneOffLineCount(detailFirst(i, salt));
    const hasIntent = st !== S.DRAFT && !(f & F.TRIAL);
    const paidByCard = st === S.PAID && !(f & F.OUT_OF_BAND);
    const failedAuto = (st === S.OPEN || st === S.UNCOLLECTIBLE) && !(f & F.SEND_INVOICE);
    const hasCharge = hasIntent && (paidByCard || failedAuto);
    itemPrefix[p + 1] = itemPrefix[p] + lines;
    intentPrefix[p + 1] = intentPrefix[p] + (hasIntent ? 1 : 0);
    chargePrefix[p + 1] = chargePrefix[p] + (hasCharge ? 1 : 0);
  }

  return {
    now,
    salt,
    customers,
    customerIndex: new Map(customers.map((c, i) => [c.id, i])),
    subscriptions,
    subscriptionIndex: new Map(subscriptions.map((s, i) => [s.id, i])),
    subscriptionItemIds,
    prices,
    n,
    created,
    customer,
    subscription,
    status,
    flags,
    reason,
    price,
    quantity,
    numberSeq,
    order,
    positionOf,
    itemPrefix,
    intentPrefix,
    chargePrefix,
    byCustomer: csr(customers.length, n, order, (i) => customer[i]),
    bySubscription: csr(subscriptions.length, n, order, (i) => subscription[i]),
  };
}
