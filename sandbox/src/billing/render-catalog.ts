/** Products and prices as Stripe sends them, and the legacy `plan` mirror of a recurring price. */
import type { PriceRec, ProductRec } from './records.ts';
import type { Json } from './render-list.ts';
import type { BillingStore } from './store.ts';

export function renderProduct(_store: BillingStore, p: ProductRec): Json {
  return {
    id: p.id,
    object: 'product',
    active: p.active,
    attributes: [],
    created: p.created,
    default_price: p.defaultPrice,
    description: p.description,
    features: [],
    images: [],
    livemode: false,
    metadata: { ...p.metadata },
    name: p.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    type: 'service',
    unit_label: null,
    updated: p.updated,
    url: null,
  };
}

export function renderPrice(_store: BillingStore, p: PriceRec): Json {
  return {
    id: p.id,
    object: 'price',
    active: p.active,
    billing_scheme: 'per_unit',
    created: p.created,
    currency: p.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: p.lookupKey,
    metadata: { ...p.metadata },
    nickname: p.nickname,
    product: p.product,
    recurring: p.recurring
      ? {
          aggregate_usage: null,
          interval: p.recurring.interval,
          interval_count: p.recurring.intervalCount,
          trial_period_days: null,
          usage_type: 'licensed',
        }
      : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: p.recurring ? 'recurring' : 'one_time',
    unit_amount: p.unitAmount,
    unit_amount_decimal: String(p.unitAmount),
  };
}

/** API 2023-08-16 still mirrors a recurring price as a legacy `plan` on items and lines. */
export function renderPlan(_store: BillingStore, p: PriceRec): Json | null {
  if (!p.recurring) return null;
  return {
    id: p.id,
    object: 'plan',
    active: p.active,
    aggregate_usage: null,
    amount: p.unitAmount,
    amount_decimal: String(p.unitAmount),
    billing_scheme: 'per_unit',
    created: p.created,
    currency: p.currency,
    interval: p.recurring.interval,
    interval_count: p.recurring.intervalCount,
    livemode: false,
    metadata: { ...p.metadata },
    nickname: p.nickname,
    product: p.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

export function priceJson(store: BillingStore, priceId: string): Json | null {
  const price = store.prices.getAny(priceId);
  return price ? renderPrice(store, price) : null;
}

export function planJson(store: BillingStore, priceId: string): Json | null {
  const price = store.prices.getAny(priceId);
  return price ? renderPlan(store, price) : null;
}
