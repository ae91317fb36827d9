/**
 * Stripe API versions. Stripe renders every answer in one version: the request's
 * `Stripe-Version`, else the account's default, and says which in the answer's
 * `Stripe-Version` header. Events are the exception: an Event is rendered in the version it
 * was created in (its `api_version`, the account default at the time), whatever the request
 * asks — "Each event data is rendered according to Stripe API version at its creation time
 * ... (not according to your current Stripe API version or Stripe-Version header)" (Stripe
 * API reference, List all events).
 *
 * The emulator renders its records as 2023-08-16 does (render*.ts) and emulates one later
 * version as a transformation of those objects, the way Stripe's own version changes are
 * written: 2025-03-31.basil, whose changes touch the fields the gateway reads —
 *
 * - invoices: `subscription` and `subscription_details` moved to
 *   `parent.subscription_details.{subscription,metadata}`
 *   (docs.stripe.com/changelog/basil/2025-03-31/adds-new-parent-field-to-invoicing-objects);
 *   `charge`, `payment_intent`, `paid` and `paid_out_of_band` were removed in favour of the
 *   includable `payments` list, which the emulator does not render
 *   (docs.stripe.com/changelog/basil/2025-03-31/add-support-for-multiple-partial-payments-on-invoices);
 * - invoice line items: `subscription`, `subscription_item`, `invoice_item`, `proration`,
 *   `proration_details` and `type` moved under `parent`, `price`/`plan` under `pricing`
 *   (the same parent-field entry);
 * - subscriptions: `current_period_start`/`current_period_end` moved to each subscription item
 *   (docs.stripe.com/changelog/basil/2025-03-31/deprecate-subscription-current-period-start-and-end);
 * - charges and payment intents: `invoice` was removed (the partial-payments entry).
 *
 * A version the emulator does not know by name gets the shape of the latest emulated version
 * not after it (Stripe's versions are cumulative): 2024-06-20 reads as 2023-08-16, 2025-09-30
 * as basil.
 */
import type { Json } from './render-list.ts';

/** The version the render*.ts modules write, and the one the gateway pins. */
export const API_VERSION = '2023-08-16';
export const BASIL_VERSION = '2025-03-31.basil';
/** The versions whose shapes the emulator renders, oldest first. */
export const EMULATED_VERSIONS = [API_VERSION, BASIL_VERSION] as const;

/** What Stripe accepts as a version (`2023-08-16`, `2025-03-31.basil`). */
export const VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

/** The account-level version settings `/__sandbox/api-version` changes. */
export interface ApiVersions {
  /** The account's default API version: what a request without `Stripe-Version` gets, and what new Events are rendered in. */
  accountDefault: string;
  /**
   * Every answer (and every Event, listed or delivered) rendered in this version whatever the
   * request asked: a proxy that drops the request's header on an account set to it, or a
   * misconfigured account. Null: off.
   */
  forced: string | null;
}

export const defaultApiVersions = (): ApiVersions => ({ accountDefault: API_VERSION, forced: null });

/** The version an answer to a request with this `Stripe-Version` (if any) is rendered in. */
export function answerVersion(versions: ApiVersions, requested: string | undefined): string {
  return versions.forced ?? (requested || versions.accountDefault);
}

/** The version a new Event is rendered in. */
export const eventVersion = (versions: ApiVersions): string => versions.forced ?? versions.accountDefault;

const isBasil = (version: string): boolean => version.slice(0, 10) >= BASIL_VERSION.slice(0, 10);

/** True when answers in `version` differ from what the render*.ts modules produce. */
export const reshapes = (version: string): boolean => isBasil(version);

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An answer body (2023-08-16 shapes) rendered in `version`. Events inside are rendered in
 * their own `api_version` (or `forced`). Never mutates its input: stored Idempotency-Key
 * replays and Events share their objects with it.
 */
export function renderInVersion(body: unknown, version: string, forced: string | null): unknown {
  const walk = (value: unknown, target: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item, target));
    if (!isObj(value)) return value;
    if (value.object === 'event') return renderEvent(value, forced ?? String(value.api_version ?? API_VERSION));
    const children: Obj = {};
    for (const [key, child] of Object.entries(value)) children[key] = walk(child, target);
    return isBasil(target) ? toBasil(children) : children;
  };
  const renderEvent = (event: Obj, target: string): Obj => {
    const data = isObj(event.data) ? event.data : {};
    const previous = isObj(data.previous_attributes) ? data.previous_attributes : undefined;
    const object = walk(data.object, target);
    return {
      ...event,
      api_version: target,
      data: {
        ...data,
        object,
        // Only the keys that still exist in the target version (previous values of moved fields are dropped).
        ...(previous && isObj(object) ? { previous_attributes: previousIn(previous, data.object, object) } : {}),
      },
    };
  };
  return walk(body, version);
}

/** `previous_attributes` without the keys the object no longer has in its rendered version. */
function previousIn(previous: Obj, original: unknown, rendered: Obj): Obj {
  if (!isObj(original)) return previous;
  const out: Obj = {};
  for (const [key, value] of Object.entries(previous)) if (!(key in original) || key in rendered) out[key] = value;
  return out;
}

function toBasil(value: Obj): Obj {
  switch (value.object) {
    case 'invoice':
      return basilInvoice(value);
    case 'line_item':
      return basilLineItem(value);
    case 'subscription':
      return basilSubscription(value);
    case 'charge':
    case 'payment_intent':
      return without(value, ['invoice']);
    default:
      return value;
  }
}

function without(value: Obj, keys: readonly string[]): Obj {
  const out: Obj = {};
  for (const [key, child] of Object.entries(value)) if (!keys.includes(key)) out[key] = child;
  return out;
}

const INVOICE_REMOVED = ['subscription', 'subscription_details', 'charge', 'payment_intent', 'paid', 'paid_out_of_band', 'quote'];

function basilInvoice(inv: Obj): Obj {
  const details = isObj(inv.subscription_details) ? inv.subscription_details : null;
  const subscription = inv.subscription ?? null;
  return {
    ...without(inv, INVOICE_REMOVED),
    amount_overpaid: 0,
    parent:
      subscription === null
        ? null
        : {
            type: 'subscription_details',
            quote_details: null,
            subscription_details: { metadata: details?.metadata ?? {}, subscription },
          },
  };
}

const LINE_REMOVED = [
  'subscription',
  'subscription_item',
  'invoice_item',
  'proration',
  'proration_details',
  'type',
  'price',
  'plan',
  'unit_amount_excluding_tax',
];

function basilLineItem(line: Obj): Obj {
  const price = isObj(line.price) ? line.price : null;
  const proration = line.proration === true;
  const credited = isObj(line.proration_details) ? line.proration_details : { credited_items: null };
  const parent: Obj =
    line.type === 'invoiceitem'
      ? {
          type: 'invoice_item_details',
          invoice_item_details: {
            invoice_item: line.invoice_item,
            proration,
            proration_details: credited,
            subscription: line.subscription ?? null,
          },
          subscription_item_details: null,
        }
      : {
          type: 'subscription_item_details',
          invoice_item_details: null,
          subscription_item_details: {
            invoice_item: null,
            proration,
            proration_details: credited,
            subscription: line.subscription ?? null,
            subscription_item: line.subscription_item ?? null,
          },
        };
  return {
    ...without(line, LINE_REMOVED),
    parent,
    pricing: price
      ? {
          type: 'price_details',
          price_details: { price: price.id, product: price.product },
          unit_amount_decimal: line.unit_amount_excluding_tax ?? null,
        }
      : null,
  };
}

function basilSubscription(sub: Obj): Obj {
  const period = { current_period_end: sub.current_period_end, current_period_start: sub.current_period_start };
  const items = isObj(sub.items) ? sub.items : null;
  const data = items && Array.isArray(items.data) ? items.data : null;
  return {
    ...without(sub, ['current_period_end', 'current_period_start']),
    ...(items && data ? { items: { ...items, data: data.map((item) => (isObj(item) ? { ...item, ...period } : item)) } } : {}),
  };
}

/** The version settings as the admin route shows them. */
export function describeVersions(versions: ApiVersions): Json {
  return { default: versions.accountDefault, force: versions.forced, emulated: [...EMULATED_VERSIONS] };
}
