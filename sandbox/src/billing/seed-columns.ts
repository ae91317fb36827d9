/**
 * The column form of seeded invoices, shared by the seeder (`seed.ts`) and the sources that
 * materialize invoices, items, charges and payment intents from it (`seed-sources.ts`).
 */
import type { CustomerRec, Metadata, PriceRec, SubscriptionRec } from './records.ts';

export const DAY = 86_400;
/** Shared by every seeded record without metadata; updates replace metadata objects, never mutate them. */
export const NO_METADATA: Metadata = Object.freeze({}) as Metadata;

export const STATUS = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;
export const S_DRAFT = 0;
export const S_OPEN = 1;
export const S_PAID = 2;
export const S_UNCOLLECTIBLE = 3;
export const S_VOID = 4;
export const F_SEND_INVOICE = 1;
export const F_TRIAL = 2;
export const F_OUT_OF_BAND = 4;
export const REASONS = ['manual', 'subscription_create', 'subscription_cycle'] as const;

/** Compressed-row index: the positions of bucket `b` are `positions[offsets[b] .. offsets[b+1])`. */
export interface Csr {
  offsets: Int32Array;
  positions: Int32Array;
}

/** Everything the seeded sources derive records from. */
export interface SeedState {
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
  /** Invoice columns, by invoice index (generation order). */
  n: number;
  created: Uint32Array;
  customer: Int32Array;
  subscription: Int32Array;
  status: Uint8Array;
  flags: Uint8Array;
  reason: Uint8Array;
  price: Uint8Array;
  quantity: Uint16Array;
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
