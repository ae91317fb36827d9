/**
 * The emulator's own records: compact, mutable, and the single source of truth. Stripe's wire
 * objects (80-odd fields for an invoice) are rendered from them on demand by `render.ts`, so
 * a 100,000-contact world (half a million invoices) fits in memory and seeds in seconds.
 */

export type Metadata = Record<string, string>;

/** What every stored record has: `created` (Unix seconds) and `seq` order lists newest first. */
export interface Row {
  id: string;
  created: number;
  /** Tie-breaker among records created in the same second, in creation order. */
  seq: number;
}

export interface AddressRec {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface CustomerRec extends Row {
  kind: 'customer';
  email: string | null;
  name: string | null;
  phone: string | null;
  description: string | null;
  metadata: Metadata;
  balance: number;
  /** Set by the first invoice or subscription, as Stripe does. */
  currency: string | null;
  address: AddressRec | null;
  invoicePrefix: string;
  nextInvoiceSequence: number;
  defaultPaymentMethod: string | null;
  preferredLocales: string[];
  taxExempt: 'none' | 'exempt' | 'reverse';
  deleted: boolean;
}

export interface RecurringRec {
  interval: 'day' | 'week' | 'month' | 'year';
  intervalCount: number;
}

export interface ProductRec extends Row {
  kind: 'product';
  name: string;
  description: string | null;
  active: boolean;
  metadata: Metadata;
  defaultPrice: string | null;
  updated: number;
}

export interface PriceRec extends Row {
  kind: 'price';
  product: string;
  unitAmount: number;
  currency: string;
  recurring: RecurringRec | null;
  nickname: string | null;
  lookupKey: string | null;
  active: boolean;
  metadata: Metadata;
  /** Created implicitly for an `amount`-based invoice item; not part of the catalog list. */
  inline: boolean;
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
export type CollectionMethod = 'charge_automatically' | 'send_invoice';

/** An invoice item; attached to an invoice it is also that invoice's `type: 'invoiceitem'` line. */
export interface InvoiceItemRec extends Row {
  kind: 'invoiceitem';
  /** The `il_` id of the line this item shows up as. */
  lineId: string;
  customer: string;
  invoice: string | null;
  amount: number;
  currency: string;
  description: string | null;
  quantity: number;
  price: string;
  metadata: Metadata;
  periodStart: number;
  periodEnd: number;
  subscription: string | null;
  discountable: boolean;
}

/** A line billed by a subscription item (`type: 'subscription'`); it exists only on its invoice. */
export interface SubscriptionLineRec {
  kind: 'subscription_line';
  id: string;
  subscription: string;
  subscriptionItem: string;
  price: string;
  quantity: number;
  amount: number;
  currency: string;
  description: string | null;
  periodStart: number;
  periodEnd: number;
  metadata: Metadata;
}

export type LineRec = InvoiceItemRec | SubscriptionLineRec;

export interface InvoiceRec extends Row {
  kind: 'invoice';
  customer: string;
  subscription: string | null;
  status: InvoiceStatus;
  collectionMethod: CollectionMethod;
  currency: string;
  lines: LineRec[];
  number: string | null;
  description: string | null;
  footer: string | null;
  statementDescriptor: string | null;
  metadata: Metadata;
  daysUntilDue: number | null;
  dueDate: number | null;
  periodStart: number;
  periodEnd: number;
  billingReason: 'manual' | 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  autoAdvance: boolean;
  finalizedAt: number | null;
  paidAt: number | null;
  voidedAt: number | null;
  markedUncollectibleAt: number | null;
  amountPaid: number;
  paidOutOfBand: boolean;
  paymentIntent: string | null;
  charge: string | null;
  attemptCount: number;
  /** Customer details are copied onto the invoice; finalizing freezes them. */
  customerEmail: string | null;
  customerName: string | null;
  customerPhone: string | null;
}

export type SubscriptionStatus =
  'active' | 'canceled' | 'incomplete' | 'incomplete_expired' | 'past_due' | 'paused' | 'trialing' | 'unpaid';

export interface SubscriptionItemRec {
  id: string;
  created: number;
  price: string;
  quantity: number;
  metadata: Metadata;
}

export interface SubscriptionRec extends Row {
  kind: 'subscription';
  customer: string;
  status: SubscriptionStatus;
  items: SubscriptionItemRec[];
  currency: string;
  currentPeriodStart: number;
  currentPeriodEnd: number;
  billingCycleAnchor: number;
  startDate: number;
  cancelAt: number | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: number | null;
  endedAt: number | null;
  trialStart: number | null;
  trialEnd: number | null;
  latestInvoice: string | null;
  collectionMethod: CollectionMethod;
  daysUntilDue: number | null;
  defaultPaymentMethod: string | null;
  description: string | null;
  metadata: Metadata;
  cancellation: {
    reason: 'cancellation_requested' | 'payment_disputed' | 'payment_failed' | null;
    comment: string | null;
    feedback: string | null;
  };
}

export interface ChargeRec extends Row {
  kind: 'charge';
  amount: number;
  amountRefunded: number;
  currency: string;
  customer: string | null;
  invoice: string | null;
  paymentIntent: string | null;
  status: 'succeeded' | 'pending' | 'failed';
  /** Card details derive from the `pm_` id (see `cards.ts`), so they cost no memory. */
  paymentMethod: string;
  description: string | null;
  metadata: Metadata;
  failureCode: string | null;
  failureMessage: string | null;
  disputed: boolean;
}

export type PaymentIntentStatus =
  'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'requires_capture' | 'canceled' | 'succeeded';

export interface PaymentIntentRec extends Row {
  kind: 'payment_intent';
  amount: number;
  amountReceived: number;
  currency: string;
  customer: string | null;
  invoice: string | null;
  status: PaymentIntentStatus;
  latestCharge: string | null;
  paymentMethod: string | null;
  description: string | null;
  metadata: Metadata;
  canceledAt: number | null;
  cancellationReason: string | null;
  /** The decline of the latest failed attempt (`last_payment_error`). */
  lastError: { charge: string; code: string; declineCode: string; message: string } | null;
  captureMethod: 'automatic' | 'automatic_async' | 'manual';
  receiptEmail: string | null;
  statementDescriptor: string | null;
}

/** A stored event keeps the wire JSON as it was when it happened (events are immutable). */
export interface EventRec extends Row {
  kind: 'event';
  type: string;
  json: Record<string, unknown>;
}

export type AnyRecord =
  CustomerRec | ProductRec | PriceRec | InvoiceRec | InvoiceItemRec | SubscriptionRec | ChargeRec | PaymentIntentRec | EventRec;
