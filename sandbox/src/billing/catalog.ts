/**
 * The sandbox account's product catalog. Price ids are readable on purpose
 * (`price_growth_monthly`): tests and fixtures name them, as a real account names prices by
 * `lookup_key`.
 */
import type { PriceRec, ProductRec, RecurringRec } from './records.ts';

interface ProductDef {
  id: string;
  name: string;
  description: string;
}

interface PriceDef {
  id: string;
  product: string;
  unitAmount: number;
  recurring: RecurringRec | null;
  nickname: string;
}

export const PRODUCTS: readonly ProductDef[] = [
  { id: 'prod_starter', name: 'Starter plan', description: 'For small teams getting started.' },
  { id: 'prod_growth', name: 'Growth plan', description: 'For growing teams.' },
  { id: 'prod_scale', name: 'Scale plan', description: 'For organizations at scale.' },
  { id: 'prod_onboarding', name: 'Onboarding package', description: 'Guided setup and data import.' },
  { id: 'prod_support', name: 'Priority support hours', description: 'Hours of priority support.' },
  { id: 'prod_seats', name: 'Additional seats', description: 'Seats beyond the plan allowance.' },
  // Product of the prices Stripe creates behind `amount`-based invoice items.
  { id: 'prod_adhoc', name: 'Ad-hoc charges', description: 'One-off amounts billed through invoice items.' },
];

const month: RecurringRec = { interval: 'month', intervalCount: 1 };
const year: RecurringRec = { interval: 'year', intervalCount: 1 };

export const PRICES: readonly PriceDef[] = [
  { id: 'price_starter_monthly', product: 'prod_starter', unitAmount: 2900, recurring: month, nickname: 'Starter monthly' },
  { id: 'price_starter_yearly', product: 'prod_starter', unitAmount: 29000, recurring: year, nickname: 'Starter yearly' },
  { id: 'price_growth_monthly', product: 'prod_growth', unitAmount: 9900, recurring: month, nickname: 'Growth monthly' },
  { id: 'price_growth_yearly', product: 'prod_growth', unitAmount: 99000, recurring: year, nickname: 'Growth yearly' },
  { id: 'price_scale_monthly', product: 'prod_scale', unitAmount: 49900, recurring: month, nickname: 'Scale monthly' },
  { id: 'price_scale_yearly', product: 'prod_scale', unitAmount: 499000, recurring: year, nickname: 'Scale yearly' },
  { id: 'price_onboarding', product: 'prod_onboarding', unitAmount: 50000, recurring: null, nickname: 'Onboarding' },
  { id: 'price_support_hour', product: 'prod_support', unitAmount: 15000, recurring: null, nickname: 'Support hour' },
  { id: 'price_seat', product: 'prod_seats', unitAmount: 1200, recurring: null, nickname: 'Seat' },
];

/** Recurring prices weighted by how often the seed subscribes to them. */
export const PLAN_MIX: readonly [string, number][] = [
  ['price_starter_monthly', 0.35],
  ['price_growth_monthly', 0.3],
  ['price_scale_monthly', 0.05],
  ['price_starter_yearly', 0.1],
  ['price_growth_yearly', 0.12],
  ['price_scale_yearly', 0.08],
];

export const ONE_TIME_PRICES = ['price_onboarding', 'price_support_hour', 'price_seat'] as const;

export function catalogRecords(created: number, seq: () => number): { products: ProductRec[]; prices: PriceRec[] } {
  const products: ProductRec[] = PRODUCTS.map((p) => ({
    kind: 'product',
    id: p.id,
    created,
    seq: seq(),
    name: p.name,
    description: p.description,
    active: true,
    metadata: {},
    defaultPrice: PRICES.find((price) => price.product === p.id)?.id ?? null,
    updated: created,
  }));
  const prices: PriceRec[] = PRICES.map((p) => ({
    kind: 'price',
    id: p.id,
    created,
    seq: seq(),
    product: p.product,
    unitAmount: p.unitAmount,
    currency: 'usd',
    recurring: p.recurring,
    nickname: p.nickname,
    lookupKey: p.id.slice('price_'.length),
    active: true,
    metadata: {},
    inline: false,
  }));
  return { products, prices };
}

/** Adds `count` intervals to a Unix timestamp, by calendar month/year as Stripe bills. */
export function addInterval(ts: number, r: RecurringRec, count = 1): number {
  const d = new Date(ts * 1000);
  const n = r.intervalCount * count;
  switch (r.interval) {
    case 'day':
      return ts + n * 86_400;
    case 'week':
      return ts + n * 7 * 86_400;
    case 'month':
      d.setUTCMonth(d.getUTCMonth() + n);
      return Math.floor(d.getTime() / 1000);
    case 'year':
      d.setUTCFullYear(d.getUTCFullYear() + n);
      return Math.floor(d.getTime() / 1000);
  }
}
