/**
 * Seeded invoices, invoice items, payment intents and charges, materialized from the invoice
 * columns (`seed-columns.ts`). Everything a column does not hold is a pure function of the
 * invoice index and the seed salt, so a record reads the same every time it is built.
 *
 * Ordering: positions follow the invoices' `(created, index)` order. An invoice's items sit
 * at its own timestamp; its payment intent and charge one hour later (capped at the world's
 * "now"), which keeps every derived table in the same order as the invoices and lets one
 * prefix sum map a derived position back to its invoice.
 */
import { Prng } from '../prng.ts';
import { paymentMethodIdFor } from './cards.ts';
import { addInterval, ONE_TIME_PRICES } from './catalog.ts';
import { seededId, seededIndex } from './ids.ts';
import type { ChargeRec, InvoiceItemRec, InvoiceRec, LineRec, PaymentIntentRec, PriceRec } from './records.ts';
import { DAY, F, mix32, NO_METADATA, oneOffLineCount, REASONS, S, type SeedState, STATUS } from './seed-columns.ts';
import type { BillingStore } from './store.ts';
import { NO_COLUMN, type SeedSource, type Table } from './table.ts';

const DESCRIPTIONS = ['Thanks for your business!', 'Professional services', 'Q3 add-ons', 'Onboarding and seats'];
const EMPTY = new Int32Array(0);

/**
 * The position owning derived row `q`: the largest p with prefix[p] <= q. Positions that
 * contribute nothing share their prefix value with the next one, so the largest is the owner.
 */
function locate(prefix: Int32Array, q: number): number {
  let lo = 0;
  let hi = prefix.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (prefix[mid] <= q) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

interface OneOffLine {
  price: PriceRec;
  quantity: number;
}

class Derive {
  private readonly byPriceId: Map<string, PriceRec>;

  constructor(readonly st: SeedState) {
    this.byPriceId = new Map(st.prices.map((p) => [p.id, p]));
  }

  /** Invoice `i`'s lines and description, from its detail stream (first draw = line count). */
  oneOff(i: number): { lines: OneOffLine[]; description: string | null } {
    const d = new Prng(mix32(i, this.st.salt));
    const count = oneOffLineCount(d.next());
    const lines: OneOffLine[] = [];
    for (let k = 0; k < count; k++) {
      const id = ONE_TIME_PRICES[Math.floor(d.next() * ONE_TIME_PRICES.length)];
      const quantity = id === 'price_seat' ? 1 + Math.floor(d.next() * 20) : id === 'price_support_hour' ? 1 + Math.floor(d.next() * 8) : 1;
      lines.push({ price: this.byPriceId.get(id)!, quantity });
    }
    const description = d.next() < 0.3 ? DESCRIPTIONS[Math.floor(d.next() * DESCRIPTIONS.length)] : null;
    return { lines, description };
  }

  total(i: number): number {
    const { st } = this;
    if (st.subscription[i] >= 0) return st.flags[i] & F.TRIAL ? 0 : st.prices[st.price[i]].unitAmount * st.quantity[i];
    let total = 0;
    for (const l of this.oneOff(i).lines) total += l.price.unitAmount * l.quantity;
    return total;
  }

  hasIntent(p: number): boolean {
    return this.st.intentPrefix[p + 1] > this.st.intentPrefix[p];
  }

  hasCharge(p: number): boolean {
    return this.st.chargePrefix[p + 1] > this.st.chargePrefix[p];
  }

  finalizedAt(i: number): number | null {
    return this.st.status[i] === S.DRAFT ? null : Math.min(this.st.now, this.st.created[i] + 3600);
  }

  /** When payment happened or was attempted: the payment intent's and charge's `created`. */
  paymentAt(i: number): number {
    return Math.min(this.st.now, this.st.created[i] + 3600);
  }

  private times(i: number): { voidedAt: number | null; uncollectibleAt: number | null; attempts: number } {
    const { st } = this;
    const h = mix32(i, st.salt ^ 0x27d4eb2f);
    const fin = this.finalizedAt(i) ?? st.created[i];
    return {
      voidedAt: st.status[i] === S.VOID ? Math.min(st.now, fin + (1 + (h % 30)) * DAY) : null,
      uncollectibleAt: st.status[i] === S.UNCOLLECTIBLE ? Math.min(st.now, fin + (20 + ((h >>> 8) % 40)) * DAY) : null,
      attempts: st.status[i] === S.UNCOLLECTIBLE ? 4 : 1 + ((h >>> 16) % 3),
    };
  }

  ids(i: number) {
    const { salt } = this.st;
    return { invoice: seededId('in', i, salt), intent: seededId('pi', i, salt), charge: seededId('ch', i, salt) };
  }

  invoice(i: number): InvoiceRec {
    const { st } = this;
    const p = st.positionOf[i];
    const c = st.customers[st.customer[i]];
    const ids = this.ids(i);
    const created = st.created[i];
    const status = STATUS[st.status[i]];
    const send = (st.flags[i] & F.SEND_INVOICE) !== 0;
    const si = st.subscription[i];
    const lines: LineRec[] = [];
    let description: string | null = null;
    if (si >= 0) {
      const sub = st.subscriptions[si];
      const price = st.prices[st.price[i]];
      const trial = (st.flags[i] & F.TRIAL) !== 0;
      const quantity = st.quantity[i];
      lines.push({
        kind: 'subscription_line',
        id: seededId('il', i * 4, st.salt),
        subscription: sub.id,
        subscriptionItem: st.subscriptionItemIds[si],
        price: price.id,
        quantity,
        amount: trial ? 0 : price.unitAmount * quantity,
        currency: price.currency,
        description: trial
          ? `Trial period for ${price.nickname}`
          : `${quantity} × ${price.nickname} (at $${(price.unitAmount / 100).toFixed(2)} / ${price.recurring!.interval})`,
        periodStart: created,
        periodEnd: trial && sub.trialEnd ? sub.trialEnd : addInterval(created, price.recurring!),
        metadata: NO_METADATA,
      });
    } else {
      const oneOff = this.oneOff(i);
      description = oneOff.description;
      oneOff.lines.forEach((l, k) => lines.push(this.item(i, k, ids.invoice, l)));
    }
    let total = 0;
    for (const l of lines) total += l.amount;
    const fin = this.finalizedAt(i);
    const times = this.times(i);
    const charged = this.hasCharge(p);
    const number = st.numberSeq[i];
    return {
      kind: 'invoice',
      id: ids.invoice,
      created,
      seq: i + 1,
      customer: c.id,
      subscription: si >= 0 ? st.subscriptions[si].id : null,
      status,
      collectionMethod: send ? 'send_invoice' : 'charge_automatically',
      currency: 'usd',
      lines,
      number: number > 0 ? `${c.invoicePrefix}-${String(number).padStart(4, '0')}` : null,
      description,
      footer: null,
      statementDescriptor: null,
      metadata: NO_METADATA,
      daysUntilDue: send ? 30 : null,
      dueDate: send && fin !== null ? fin + 30 * DAY : null,
      periodStart: created,
      periodEnd: created,
      billingReason: REASONS[st.reason[i]],
      autoAdvance: status !== 'draft',
      finalizedAt: fin,
      paidAt: status === 'paid' ? fin : null,
      voidedAt: times.voidedAt,
      markedUncollectibleAt: times.uncollectibleAt,
      amountPaid: status === 'paid' ? total : 0,
      paidOutOfBand: (st.flags[i] & F.OUT_OF_BAND) !== 0,
      paymentIntent: this.hasIntent(p) ? ids.intent : null,
      charge: charged ? ids.charge : null,
      attemptCount: charged ? (status === 'paid' ? 1 : times.attempts) : 0,
      customerEmail: c.email,
      customerName: c.name,
      customerPhone: c.phone,
    };
  }

  private item(i: number, k: number, invoiceId: string, line: OneOffLine): InvoiceItemRec {
    const { st } = this;
    const j = i * 4 + k;
    const created = st.created[i];
    return {
      kind: 'invoiceitem',
      id: seededId('ii', j, st.salt),
      lineId: seededId('il', j, st.salt),
      created,
      seq: j + 4,
      customer: st.customers[st.customer[i]].id,
      invoice: invoiceId,
      amount: line.price.unitAmount * line.quantity,
      currency: line.price.currency,
      description: line.price.nickname,
      quantity: line.quantity,
      price: line.price.id,
      metadata: NO_METADATA,
      periodStart: created,
      periodEnd: created,
      subscription: null,
      discountable: true,
    };
  }

  private description(i: number): string {
    const reason = REASONS[this.st.reason[i]];
    return reason === 'subscription_create'
      ? 'Subscription creation'
      : reason === 'subscription_cycle'
        ? 'Subscription update'
        : 'Payment for Invoice';
  }

  charge(i: number): ChargeRec {
    const { st } = this;
    const c = st.customers[st.customer[i]];
    const ok = st.status[i] === S.PAID;
    const amount = this.total(i);
    const h = mix32(i, st.salt ^ 0x165667b1);
    const ids = this.ids(i);
    return {
      kind: 'charge',
      id: ids.charge,
      created: this.paymentAt(i),
      seq: i + 1,
      amount,
      amountRefunded: ok && h % 100 === 0 ? amount : 0,
      currency: 'usd',
      customer: c.id,
      invoice: ids.invoice,
      paymentIntent: ids.intent,
      status: ok ? 'succeeded' : 'failed',
      paymentMethod: paymentMethodIdFor(c.id),
      description: this.description(i),
      metadata: NO_METADATA,
      failureCode: ok ? null : 'card_declined',
      failureMessage: ok ? null : 'Your card was declined.',
      disputed: ok && (h >>> 8) % 1000 < 3,
    };
  }

  intentStatus(i: number): PaymentIntentRec['status'] {
    const status = this.st.status[i];
    if (status === S.PAID) return this.st.flags[i] & F.OUT_OF_BAND ? 'canceled' : 'succeeded';
    return status === S.VOID ? 'canceled' : 'requires_payment_method';
  }

  intent(i: number): PaymentIntentRec {
    const { st } = this;
    const p = st.positionOf[i];
    const c = st.customers[st.customer[i]];
    const ids = this.ids(i);
    const amount = this.total(i);
    const status = st.status[i];
    const outOfBand = (st.flags[i] & F.OUT_OF_BAND) !== 0;
    const charged = this.hasCharge(p);
    const pi: PaymentIntentRec = {
      kind: 'payment_intent',
      id: ids.intent,
      created: this.paymentAt(i),
      seq: i + 1,
      amount,
      amountReceived: 0,
      currency: 'usd',
      customer: c.id,
      invoice: ids.invoice,
      status: 'requires_payment_method',
      latestCharge: charged ? ids.charge : null,
      paymentMethod: charged ? paymentMethodIdFor(c.id) : null,
      description: this.description(i),
      metadata: NO_METADATA,
      canceledAt: null,
      cancellationReason: null,
      lastError: null,
      captureMethod: 'automatic',
      receiptEmail: null,
      statementDescriptor: null,
    };
    if (status === S.PAID && !outOfBand) {
      pi.status = 'succeeded';
      pi.amountReceived = amount;
    } else if (status === S.PAID || status === S.VOID) {
      pi.status = 'canceled';
      pi.canceledAt = status === S.VOID ? this.times(i).voidedAt : this.finalizedAt(i);
      pi.cancellationReason = status === S.VOID ? 'void_invoice' : null;
    } else if (charged && (status === S.OPEN || status === S.UNCOLLECTIBLE)) {
      pi.lastError = { charge: ids.charge, code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' };
    }
    return pi;
  }
}

/** Positions of one customer's (or subscription's) invoices, from a CSR index. */
function csrSlice(csr: { offsets: Int32Array; positions: Int32Array }, b: number | undefined): Int32Array {
  if (b === undefined) return EMPTY;
  return csr.positions.subarray(csr.offsets[b], csr.offsets[b + 1]);
}

/** Maps invoice positions to positions in a derived table (`prefix`), keeping those that have one. */
function derivedPositions(invoicePositions: ArrayLike<number>, prefix: Int32Array): Int32Array {
  const out: number[] = [];
  for (let k = 0; k < invoicePositions.length; k++) {
    const p = invoicePositions[k];
    for (let q = prefix[p]; q < prefix[p + 1]; q++) out.push(q);
  }
  return Int32Array.from(out);
}

export function attachSeedSources(store: BillingStore, st: SeedState): void {
  const derive = new Derive(st);
  const { salt, n, order, positionOf } = st;
  const invoices: Table<InvoiceRec> = store.invoices;
  /** The columns every seeded row reads alike from its invoice: the customer, and the one currency. */
  const sharedField = (i: number, name: string): unknown =>
    name === 'customer' ? st.customers[st.customer[i]].id : name === 'currency' ? 'usd' : NO_COLUMN;

  const invoiceSource: SeedSource<InvoiceRec> = {
    length: n,
    plain: true,
    created: (pos) => st.created[order[pos]],
    seq: (pos) => order[pos] + 1,
    id: (pos) => seededId('in', order[pos], salt),
    position: (id) => {
      const i = seededIndex('in', id, salt, n);
      return i < 0 ? -1 : positionOf[i];
    },
    materialize: (pos) => derive.invoice(order[pos]),
    field: (pos, name) => {
      const i = order[pos];
      switch (name) {
        case 'created':
          return st.created[i];
        case 'status':
          return STATUS[st.status[i]];
        case 'collectionMethod':
          return st.flags[i] & F.SEND_INVOICE ? 'send_invoice' : 'charge_automatically';
        case 'subscription':
          return st.subscription[i] >= 0 ? st.subscriptions[st.subscription[i]].id : null;
        case 'total':
          return derive.total(i);
        default:
          return sharedField(i, name);
      }
    },
    bucket: (index, value) => {
      if (index === 'customer') return csrSlice(st.byCustomer, st.customerIndex.get(value));
      if (index === 'subscription') return csrSlice(st.bySubscription, st.subscriptionIndex.get(value));
      return EMPTY;
    },
  };

  const itemAt = (q: number) => {
    const p = locate(st.itemPrefix, q);
    return { p, i: order[p], k: q - st.itemPrefix[p] };
  };
  const itemSource: SeedSource<InvoiceItemRec> = {
    length: st.itemPrefix[n],
    plain: true,
    created: (q) => st.created[itemAt(q).i],
    seq: (q) => {
      const { i, k } = itemAt(q);
      return i * 4 + k + 4;
    },
    id: (q) => {
      const { i, k } = itemAt(q);
      return seededId('ii', i * 4 + k, salt);
    },
    position: (id) => {
      const j = seededIndex('ii', id, salt, n * 4);
      if (j < 0) return -1;
      const p = positionOf[j >>> 2];
      const k = j & 3;
      return st.itemPrefix[p] + k < st.itemPrefix[p + 1] ? st.itemPrefix[p] + k : -1;
    },
    materialize: (q, keep) => {
      // The item is its invoice's line: take it from the invoice so both share one object.
      const { i, k } = itemAt(q);
      const invoiceId = seededId('in', i, salt);
      const inv = keep ? invoices.get(invoiceId) : invoices.peek(invoiceId);
      const itemId = seededId('ii', i * 4 + k, salt);
      const line = inv?.lines.find((l): l is InvoiceItemRec => l.kind === 'invoiceitem' && l.id === itemId);
      return line ?? (derive.invoice(i).lines[k] as InvoiceItemRec);
    },
    bucket: (index, value) => {
      if (index === 'invoice') {
        const i = seededIndex('in', value, salt, n);
        return i < 0 ? EMPTY : derivedPositions([positionOf[i]], st.itemPrefix);
      }
      if (index === 'customer') return derivedPositions(csrSlice(st.byCustomer, st.customerIndex.get(value)), st.itemPrefix);
      return EMPTY;
    },
  };

  const derived = <R extends ChargeRec | PaymentIntentRec>(
    prefix: Int32Array,
    prefixId: 'ch' | 'pi',
    build: (i: number) => R,
  ): SeedSource<R> => ({
    length: prefix[n],
    plain: true,
    created: (q) => derive.paymentAt(order[locate(prefix, q)]),
    seq: (q) => order[locate(prefix, q)] + 1,
    id: (q) => seededId(prefixId, order[locate(prefix, q)], salt),
    position: (id) => {
      const i = seededIndex(prefixId, id, salt, n);
      if (i < 0) return -1;
      const p = positionOf[i];
      return prefix[p + 1] > prefix[p] ? prefix[p] : -1;
    },
    materialize: (q) => build(order[locate(prefix, q)]),
    field: (q, name) => {
      const i = order[locate(prefix, q)];
      switch (name) {
        case 'created':
          return derive.paymentAt(i);
        case 'status':
          return prefixId === 'ch' ? (st.status[i] === S.PAID ? 'succeeded' : 'failed') : derive.intentStatus(i);
        case 'amount':
          return derive.total(i);
        default:
          return sharedField(i, name);
      }
    },
    bucket: (index, value) => {
      if (index === 'customer') return derivedPositions(csrSlice(st.byCustomer, st.customerIndex.get(value)), prefix);
      if (index === 'payment_intent' && prefixId === 'ch') {
        const i = seededIndex('pi', value, salt, n);
        return i < 0 ? EMPTY : derivedPositions([positionOf[i]], prefix);
      }
      return EMPTY;
    },
  });

  store.invoices.attachSeed(invoiceSource);
  store.invoiceItems.attachSeed(itemSource);
  store.charges.attachSeed(derived(st.chargePrefix, 'ch', (i) => derive.charge(i)));
  store.paymentIntents.attachSeed(derived(st.intentPrefix, 'pi', (i) => derive.intent(i)));
}
