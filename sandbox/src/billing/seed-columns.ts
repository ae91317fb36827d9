/**
 * The column form of seeded invoices, shared by the seeder (`seed.ts`) and the sources that
 * materialize invoices, items, charges and payment intents from it (`seed-sources.ts`).
 */
import type { CustomerRec, Metadata, PriceRec, SubscriptionRec } from './records.ts';

export const DAY = 86_400;
/** Shared by every seeded record without metadata; updates replace metadata objects, never mutate them. */
export const NO_METADATA: Metadata = Object.freeze({}) as Metadata;

export const STATUS = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;
/** The `status` column's codes: indexes into `STATUS`. */
export const S = { DRAFT: 0, OPEN: 1, PAID: 2, UNCOLLECTIBLE: 3, VOID: 4 } as const;
/** The `flags` column's bits. */
export const F = { SEND_INVOICE: 1, TRIAL: 2, OUT_OF_BAND: 4 } as const;
export const REASONS = ['manual', 'subscription_create', 'subscription_cycle'] as const;

/** Compressed-row index: the positions of bucket `b` are `positions[offsets[b] .. offsets[b+1])`. */
export interface Csr {
  offsets: Int32Array;
  positions: Int32Array;
}

/** One typed array per invoice field the seeder draws, by invoice index (generation order). */
export interface InvoiceColumns {
  created: Uint32Array;
  customer: Int32Array;
  subscription: Int32Array;
  status: Uint8Array;
  flags: Uint8Array;
  reason: Uint8Array;
  price: Uint8Array;
  quantity: Uint16Array;
}

type Column = InvoiceColumns[keyof InvoiceColumns];

/** Columns for `length` invoices: zeroed, or holding the first `length` of `from`. */
export function invoiceColumns(length: number, from?: InvoiceColumns): InvoiceColumns {
  const column = <T extends Column>(make: new (n: number) => T, old: T | undefined): T => {
    const out = new make(length);
    if (old) out.set(old.subarray(0, length));
    return out;
  };
  return {
    created: column(Uint32Array, from?.created),
    customer: column(Int32Array, from?.customer),
    subscription: column(Int32Array, from?.subscription),
    status: column(Uint8Array, from?.status),
    flags: column(Uint8Array, from?.flags),
    reason: column(Uint8Array, from?.reason),
    price: column(Uint8Array, from?.price),
    quantity: column(Uint16Array, from?.quantity),
  };
}

/** Everything the seeded sources derive records from. */
export interface SeedState extends InvoiceColumns {
  now: number;
  /** Mixed into seeded ids and per-invoice detail streams. */
  salt: number;
  customers: CustomerRec[];
  customerIndex: Map<string, number>;
  subscriptions: SubscriptionRec[];
  subscriptionIndex: Map<string, number>;
  /** The first item id of each subscription as seeded (its invoices' lines point at it). */
  subscriptionItemIds: string[];
  prices: PriceRec[];
  /** How many invoices the columns hold. */
  n: number;
  numberSeq: Int32Array;
  /** Positions in key order → invoice index, and back. */
  order: Int32Array;
  positionOf: Int32Array;
  /** Prefix sums over positions: invoice items, payment intents and charges up to a position. */
  itemPrefix: Int32Array;
  intentPrefix: Int32Array;
  chargePrefix: Int32Array;
  byCustomer: Csr;
  bySubscription: Csr;
}

/** A 32-bit mix of two integers (murmur3 finalizer), for stateless per-record streams. */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** How many lines a one-off invoice has: the first draw of its detail stream (see `seed-sources.ts`). */
export const oneOffLineCount = (first: number) => 1 + Math.floor(first * 3);

/** The first draw of invoice `i`'s detail stream, without building the stream. */
export function detailFirst(i: number, salt: number): number {
  // Same as `new Prng(mix32(i, salt)).next()`, inlined for the seeding loop.
  let t = ((mix32(i, salt) >>> 0 || 0x9e3779b9) + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
