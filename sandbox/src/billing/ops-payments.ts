/**
 * Payment intents and charges. Every customer can pay with a deterministic test card (see
 * `cards.ts`); Stripe's test tokens pick the outcome: `pm_card_visa` & co. succeed,
 * `pm_card_chargeDeclined` (and the other `…Declined…` tokens) decline with `card_declined`.
 */
import { paymentMethodIdFor } from './cards.ts';
import { assignGiven, begin, commit, create, type OpContext } from './changes.ts';
import { StripeError, stateError } from './errors.ts';
import { applyMetadata, type MetadataPatch } from './params.ts';
import type { ChargeRec, CustomerRec, PaymentIntentRec } from './records.ts';
import { declineError, type Json, renderPaymentIntent } from './render.ts';

export interface ResolvedMethod {
  paymentMethod: string;
  declines: boolean;
}

/** Which card pays: an explicit `payment_method` (test tokens resolve to the customer's card), else the customer's default. */
export function resolvePaymentMethod(customer: CustomerRec | null, requested?: string | null): ResolvedMethod {
  const own = customer ? (customer.defaultPaymentMethod ?? paymentMethodIdFor(customer.id)) : paymentMethodIdFor('guest');
  if (!requested) return { paymentMethod: own, declines: false };
  if (/^pm_card_\w*Declined/i.test(requested))
    return { paymentMethod: customer ? paymentMethodIdFor(`${customer.id}:declined`) : paymentMethodIdFor('declined'), declines: true };
  if (requested.startsWith('pm_card_')) return { paymentMethod: own, declines: false };
  return { paymentMethod: requested, declines: false };
}

export interface IntentInput {
  amount: number;
  currency: string;
  customer: string | null;
  invoice: string | null;
  description: string | null;
  metadata?: MetadataPatch;
  paymentMethod: string | null;
  captureMethod?: PaymentIntentRec['captureMethod'];
  receiptEmail?: string | null;
  statementDescriptor?: string | null;
}

export function createIntent(ctx: OpContext, input: IntentInput): PaymentIntentRec {
  const { store } = ctx;
  const pi: PaymentIntentRec = {
    kind: 'payment_intent',
    id: store.ids.next('pi'),
    created: store.now(),
    seq: store.seq(),
    amount: input.amount,
    amountReceived: 0,
    currency: input.currency,
    customer: input.customer,
    invoice: input.invoice,
    status: input.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    latestCharge: null,
    paymentMethod: input.paymentMethod,
    description: input.description,
    metadata: applyMetadata({}, input.metadata),
    canceledAt: null,
    cancellationReason: null,
    lastError: null,
    captureMethod: input.captureMethod ?? 'automatic',
    receiptEmail: input.receiptEmail ?? null,
    statementDescriptor: input.statementDescriptor ?? null,
  };
  create(ctx, store.paymentIntents, pi, 'payment_intent.created');
  return pi;
}

/**
 * Confirms a payment intent with a card: one charge, succeeded or failed. The caller decides
 * what a decline means for its invoice; the 402 body is built by `declinedError`.
 */
export function attemptPayment(ctx: OpContext, pi: PaymentIntentRec, method: ResolvedMethod): ChargeRec {
  const { store } = ctx;
  const ok = !method.declines;
  const ch: ChargeRec = {
    kind: 'charge',
    id: store.ids.next('ch'),
    created: store.now(),
    seq: store.seq(),
    amount: pi.amount,
    amountRefunded: 0,
    currency: pi.currency,
    customer: pi.customer,
    invoice: pi.invoice,
    paymentIntent: pi.id,
    status: ok ? 'succeeded' : 'failed',
    paymentMethod: method.paymentMethod,
    description: pi.description,
    metadata: {},
    failureCode: ok ? null : 'card_declined',
    failureMessage: ok ? null : 'Your card was declined.',
    disputed: false,
  };
  create(ctx, store.charges, ch, ok ? 'charge.succeeded' : 'charge.failed');
  const pending = begin(ctx, store.paymentIntents, pi);
  pi.paymentMethod = method.paymentMethod;
  pi.latestCharge = ch.id;
  if (ok) {
    pi.status = 'succeeded';
    pi.amountReceived = pi.amount;
    pi.lastError = null;
  } else {
    pi.status = 'requires_payment_method';
    pi.lastError = { charge: ch.id, code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' };
  }
  commit(ctx, pending, [ok ? 'payment_intent.succeeded' : 'payment_intent.payment_failed']);
  return ch;
}

/** Stripe's 402 for a declined card: the `card_error` with the charge and the payment intent. */
export function declinedError(ctx: OpContext, pi: PaymentIntentRec, ch: ChargeRec): StripeError {
  const body = declineError(ctx.store, ch.id, ch.paymentMethod, pi.customer);
  return new StripeError(402, { ...(body as { type: 'card_error'; message: string }), payment_intent: renderPaymentIntent(ctx.store, pi) });
}

export function cancelIntent(ctx: OpContext, pi: PaymentIntentRec, reason: string | null, byInvoice = false): Json {
  if (pi.invoice && !byInvoice) {
    throw stateError(
      'payment_intent_unexpected_state',
      'You cannot cancel this PaymentIntent because it was created by an invoice. Void the invoice instead.',
    );
  }
  if (pi.status === 'succeeded' || pi.status === 'canceled') {
    throw stateError(
      'payment_intent_unexpected_state',
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
    );
  }
  const pending = begin(ctx, ctx.store.paymentIntents, pi);
  pi.status = 'canceled';
  pi.canceledAt = ctx.store.now();
  pi.cancellationReason = reason;
  return commit(ctx, pending, ['payment_intent.canceled']);
}

export interface IntentUpdate {
  amount?: number;
  currency?: string;
  description?: string | null;
  metadata?: MetadataPatch;
  customer?: string | null;
  paymentMethod?: string | null;
  receiptEmail?: string | null;
  statementDescriptor?: string | null;
}

/** Stripe defines no `payment_intent.updated` event: an update changes the object silently. */
export function updateIntent(ctx: OpContext, pi: PaymentIntentRec, input: IntentUpdate): Json {
  const settled = pi.status === 'succeeded' || pi.status === 'canceled';
  if (
    settled &&
    (input.amount !== undefined || input.currency !== undefined || input.paymentMethod !== undefined || input.customer !== undefined)
  ) {
    throw stateError(
      'payment_intent_unexpected_state',
      `This PaymentIntent's amount, currency, customer and payment method could not be updated because it has a status of ${pi.status}.`,
    );
  }
  const metadata = applyMetadata(pi.metadata, input.metadata);
  const pending = begin(ctx, ctx.store.paymentIntents, pi);
  pi.metadata = metadata;
  assignGiven(pi, input, ['amount', 'currency', 'description', 'customer', 'paymentMethod', 'receiptEmail', 'statementDescriptor']);
  if (pi.status === 'requires_payment_method' && input.paymentMethod) pi.status = 'requires_confirmation';
  return commit(ctx, pending, [], { reindex: input.customer !== undefined });
}

export interface ChargeUpdate {
  description?: string | null;
  metadata?: MetadataPatch;
  refund?: boolean;
}

/** Admin-only charge edits: metadata/description (`charge.updated`) and a full refund (`charge.refunded`). */
export function updateCharge(ctx: OpContext, ch: ChargeRec, input: ChargeUpdate): Json {
  if (input.refund) {
    if (ch.status !== 'succeeded') throw stateError('charge_already_refunded', `Charge ${ch.id} has not succeeded and cannot be refunded.`);
    if (ch.amountRefunded >= ch.amount) throw stateError('charge_already_refunded', `Charge ${ch.id} has already been refunded.`);
  }
  const metadata = applyMetadata(ch.metadata, input.metadata);
  const pending = begin(ctx, ctx.store.charges, ch);
  if (input.description !== undefined) ch.description = input.description;
  ch.metadata = metadata;
  if (input.refund) ch.amountRefunded = ch.amount;
  return commit(ctx, pending, [input.refund ? 'charge.refunded' : 'charge.updated']);
}
