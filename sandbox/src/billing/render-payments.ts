/** Payment methods, charges, payment intents and card declines as Stripe sends them. */
import { type Card, cardFor } from './cards.ts';
import { derivedBody } from './ids.ts';
import type { ChargeRec, PaymentIntentRec } from './records.ts';
import type { Json } from './render-list.ts';
import type { BillingStore } from './store.ts';

const CARD_YEAR = 2026;

/** The card fields a payment method and a charge's `payment_method_details` both show, in wire order. */
function cardFields(card: Card): Json {
  return {
    brand: card.brand,
    checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' },
    country: card.country,
    exp_month: card.expMonth,
    exp_year: card.expYear,
    fingerprint: card.fingerprint,
    funding: card.funding,
  };
}

export function renderPaymentMethod(store: BillingStore, id: string, customer: string | null): Json {
  const card = cardFor(id, CARD_YEAR);
  const c = customer ? store.customers.getAny(customer) : undefined;
  return {
    id,
    object: 'payment_method',
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: card.postalCode, state: null },
      email: c?.email ?? null,
      name: c?.name ?? null,
      phone: null,
    },
    card: {
      ...cardFields(card),
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: c?.created ?? 0,
    customer,
    livemode: false,
    metadata: {},
    type: 'card',
  };
}

export function renderCharge(store: BillingStore, ch: ChargeRec): Json {
  const card = cardFor(ch.paymentMethod, CARD_YEAR);
  const c = ch.customer ? store.customers.getAny(ch.customer) : undefined;
  const ok = ch.status === 'succeeded';
  return {
    id: ch.id,
    object: 'charge',
    amount: ch.amount,
    amount_captured: ok ? ch.amount : 0,
    amount_refunded: ch.amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: ok ? `txn_1${derivedBody(`txn:${ch.id}`, 23)}` : null,
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: card.postalCode, state: null },
      email: c && !c.deleted ? c.email : null,
      name: c && !c.deleted ? c.name : null,
      phone: null,
    },
    calculated_statement_descriptor: 'SWITCHBOARD',
    captured: ok,
    created: ch.created,
    currency: ch.currency,
    customer: ch.customer,
    description: ch.description,
    destination: null,
    dispute: null,
    disputed: ch.disputed,
    failure_balance_transaction: null,
    failure_code: ch.failureCode,
    failure_message: ch.failureMessage,
    fraud_details: {},
    invoice: ch.invoice,
    livemode: false,
    metadata: { ...ch.metadata },
    on_behalf_of: null,
    order: null,
    outcome: chargeOutcome(ch.id, ok),
    paid: ok,
    payment_intent: ch.paymentIntent,
    payment_method: ch.paymentMethod,
    payment_method_details: cardPaymentDetails(card, ok ? ch.amount : null),
    radar_options: {},
    receipt_email: null,
    receipt_number: null,
    receipt_url: ok ? `https://pay.stripe.com/receipts/invoices/${derivedBody(`rcpt:${ch.id}`, 40)}?s=ap` : null,
    refunded: ch.amountRefunded > 0 && ch.amountRefunded === ch.amount,
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: ch.status,
    transfer_data: null,
    transfer_group: null,
  };
}

/** How the card network answered: approved, or a generic issuer decline. */
function chargeOutcome(id: string, ok: boolean): Json {
  return ok
    ? {
        network_status: 'approved_by_network',
        reason: null,
        risk_level: 'normal',
        risk_score: hashScore(id),
        seller_message: 'Payment complete.',
        type: 'authorized',
      }
    : {
        network_status: 'declined_by_network',
        reason: 'generic_decline',
        risk_level: 'normal',
        risk_score: hashScore(id),
        seller_message: 'The bank did not return any further details with this decline.',
        type: 'issuer_declined',
      };
}

/** `payment_method_details` of a card charge; a declined charge authorized nothing. */
function cardPaymentDetails(card: Card, amountAuthorized: number | null): Json {
  return {
    card: {
      amount_authorized: amountAuthorized,
      ...cardFields(card),
      installments: null,
      last4: card.last4,
      mandate: null,
      network: card.brand,
      network_token: { used: false },
      three_d_secure: null,
      wallet: null,
    },
    type: 'card',
  };
}

const hashScore = (id: string) => (id.charCodeAt(id.length - 1) * 7 + id.charCodeAt(id.length - 2)) % 65;

/** The `api_errors` hash of a declined card, as `last_payment_error` and a 402 body carry it. */
export function declineError(store: BillingStore, chargeId: string, paymentMethod: string | null, customer: string | null): Json {
  const out: Json = {
    charge: chargeId,
    code: 'card_declined',
    decline_code: 'generic_decline',
    doc_url: 'https://stripe.com/docs/error-codes/card-declined',
    message: 'Your card was declined.',
    type: 'card_error',
  };
  if (paymentMethod) out.payment_method = renderPaymentMethod(store, paymentMethod, customer);
  return out;
}

export function renderPaymentIntent(store: BillingStore, pi: PaymentIntentRec): Json {
  return {
    id: pi.id,
    object: 'payment_intent',
    amount: pi.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: pi.amountReceived,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: pi.canceledAt,
    cancellation_reason: pi.cancellationReason,
    capture_method: pi.captureMethod,
    client_secret: `${pi.id}_secret_${derivedBody(`cs:${pi.id}`, 25)}`,
    confirmation_method: 'automatic',
    created: pi.created,
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    invoice: pi.invoice,
    last_payment_error: pi.lastError ? declineError(store, pi.lastError.charge, pi.paymentMethod, pi.customer) : null,
    latest_charge: pi.latestCharge,
    livemode: false,
    metadata: { ...pi.metadata },
    next_action: null,
    on_behalf_of: null,
    payment_method: pi.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    processing: null,
    receipt_email: pi.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: pi.statementDescriptor,
    statement_descriptor_suffix: null,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  };
}
