/**
 * Test cards. A customer's card is a pure function of its `pm_` id, so half a million seeded
 * charges carry realistic `payment_method_details.card` without storing a card per charge.
 */
import { derivedBody, hash32 } from './ids.ts';

export interface Card {
  brand: 'visa' | 'mastercard' | 'amex';
  last4: string;
  expMonth: number;
  expYear: number;
  fingerprint: string;
  country: string;
  funding: 'credit' | 'debit';
  postalCode: string;
}

/** Stripe's published test card numbers' last four digits, per brand. */
const TEST_CARDS: readonly [Card['brand'], string, Card['funding']][] = [
  ['visa', '4242', 'credit'],
  ['visa', '1881', 'credit'],
  ['visa', '5556', 'debit'],
  ['mastercard', '4444', 'credit'],
  ['mastercard', '8210', 'debit'],
  ['amex', '8431', 'credit'],
];

/** The default card of a customer: deterministic per customer id. */
export function paymentMethodIdFor(customerId: string): string {
  return `pm_1${derivedBody(`pm:${customerId}`, 23)}`;
}

export function cardFor(paymentMethodId: string, baseYear: number): Card {
  const h = hash32(paymentMethodId);
  const [brand, last4, funding] = TEST_CARDS[h % TEST_CARDS.length];
  return {
    brand,
    last4,
    funding,
    expMonth: 1 + ((h >>> 4) % 12),
    expYear: baseYear + 1 + ((h >>> 8) % 5),
    fingerprint: derivedBody(`fp:${brand}${last4}:${h % 997}`, 16),
    country: 'US',
    postalCode: String(10000 + ((h >>> 12) % 89999)),
  };
}
