/**
 * The Stripe resources the billing connector reads, at API version 2023-08-16
 * (specs/stripe.subset.json). Each schema is strict about the fields Switchboard
 * reads — a required field that is missing or has the wrong type fails the response — and
 * tolerant of everything else: unknown fields are accepted and dropped (so the cache holds
 * only what we read), enum-like fields accept any string, and fields Stripe marks nullable
 * may also be absent.
 *
 * Expandable references (`customer`, `subscription`, `latest_invoice`, …) arrive as an id
 * or, when expanded, as the object; both are normalized to the id.
 *
 * Parsed records are what the cache stores and what resolvers receive as parents.
 */
import { z } from 'zod';
import { GatewayError } from '../../errors.ts';
import { formatPath } from '../../upstream/response-path.ts';

/** A vendor enum kept open: known values autocomplete, a value Stripe adds later still parses. */
export type Open<T extends string> = T | (string & {});

export type StripeInvoiceStatus = Open<'draft' | 'open' | 'paid' | 'uncollectible' | 'void'>;
export type StripeSubscriptionStatus = Open<
  'active' | 'canceled' | 'incomplete' | 'incomplete_expired' | 'past_due' | 'paused' | 'trialing' | 'unpaid'
>;
export type StripeChargeStatus = Open<'succeeded' | 'pending' | 'failed'>;

const openEnum = <T extends string>() => z.string() as unknown as z.ZodType<Open<T>, string>;
/** Stripe's nullable fields: null or absent both read as null. */
const nullish = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? null);
/**
 * Nullable fields that later Stripe versions move or remove (2025-03-31.basil: an invoice's
 * `subscription` and `charge`, a line's `price`, a charge's `invoice`): 2023-08-16 always sends
 * the key, so an absent one means another version's shape (say, behind a proxy that dropped
 * `Stripe-Version`) — refused, never read as null.
 */
const present = <T extends z.ZodType>(schema: T) => schema.nullable();
const int = z.number().int();
const unixSeconds = int;
/** An expandable reference: the id string or the expanded object (whose id we keep). */
const expandable = z.union([z.string(), z.object({ id: z.string() })]).transform((value) => (typeof value === 'string' ? value : value.id));
const metadata = z
  .record(z.string(), z.string())
  .nullish()
  .transform((value) => value ?? {});

export const customerSchema = z.object({
  id: z.string(),
  email: nullish(z.string()),
  name: nullish(z.string()),
  phone: nullish(z.string()),
  description: nullish(z.string()),
  /** Lower-case ISO code; null until the customer's first invoice or subscription sets it. */
  currency: nullish(z.string()),
  /** Minor units in `currency`; negative is credit the customer holds. */
  balance: int.default(0),
  delinquent: nullish(z.boolean()),
  created: unixSeconds,
  metadata,
});
export type StripeCustomer = z.output<typeof customerSchema>;

/** What GET /v1/customers/{id} answers for a deleted customer. */
export const deletedObjectSchema = z.object({ id: z.string(), deleted: z.literal(true) });

export const lineItemSchema = z.object({
  id: z.string(),
  description: nullish(z.string()),
  amount: int,
  currency: z.string(),
  quantity: nullish(int),
  period: z.object({ start: unixSeconds, end: unixSeconds }),
  price: present(expandable),
});
export type StripeLineItem = z.output<typeof lineItemSchema>;

export const invoiceSchema = z.object({
  id: z.string(),
  customer: nullish(expandable),
  subscription: present(expandable),
  // Set once paid: the charge that paid it (2023-08-16 shape), so caches can learn of it.
  charge: present(expandable),
  status: nullish(openEnum<Exclude<StripeInvoiceStatus, string & {}>>()),
  number: nullish(z.string()),
  currency: z.string(),
  amount_due: int,
  amount_paid: int,
  amount_remaining: int,
  subtotal: int,
  total: int,
  due_date: nullish(unixSeconds),
  created: unixSeconds,
  period_start: unixSeconds,
  period_end: unixSeconds,
  hosted_invoice_url: nullish(z.string()),
  // Stripe embeds the first lines only; `has_more` says whether the list is complete.
  lines: z.object({ data: z.array(lineItemSchema), has_more: z.boolean() }),
});
export type StripeInvoice = z.output<typeof invoiceSchema>;

export const priceSchema = z.object({
  id: z.string(),
  currency: z.string(),
  unit_amount: nullish(int),
  recurring: nullish(z.object({ interval: z.string(), interval_count: int.default(1) })),
});
export type StripePrice = z.output<typeof priceSchema>;

export const subscriptionItemSchema = z.object({
  id: z.string(),
  price: priceSchema,
  // Absent for metered prices.
  quantity: nullish(int),
});
export type StripeSubscriptionItem = z.output<typeof subscriptionItemSchema>;

export const subscriptionSchema = z.object({
  id: z.string(),
  customer: expandable,
  status: openEnum<Exclude<StripeSubscriptionStatus, string & {}>>(),
  items: z.object({ data: z.array(subscriptionItemSchema), has_more: z.boolean() }),
  current_period_start: unixSeconds,
  current_period_end: unixSeconds,
  cancel_at_period_end: z.boolean(),
  canceled_at: nullish(unixSeconds),
  latest_invoice: nullish(expandable),
  created: unixSeconds,
});
export type StripeSubscription = z.output<typeof subscriptionSchema>;

export const chargeSchema = z.object({
  id: z.string(),
  amount: int,
  amount_refunded: int,
  currency: z.string(),
  status: openEnum<Exclude<StripeChargeStatus, string & {}>>(),
  paid: z.boolean(),
  refunded: z.boolean(),
  customer: nullish(expandable),
  invoice: present(expandable),
  payment_intent: nullish(expandable),
  failure_message: nullish(z.string()),
  receipt_url: nullish(z.string()),
  created: unixSeconds,
});
export type StripeCharge = z.output<typeof chargeSchema>;

/**
 * Envelope schemas are built once per item schema: zod compiles a schema on its first
 * parse, and building one per response made that compilation a per-request cost.
 */
function perItem<B extends (item: z.ZodType) => z.ZodType>(build: B): B {
  const built = new WeakMap<z.ZodType, z.ZodType>();
  return ((item: z.ZodType) => {
    let schema = built.get(item);
    if (!schema) built.set(item, (schema = build(item)));
    return schema;
  }) as B;
}

/** `GET /v1/<resource>` list envelope. */
export const listSchema = perItem(<T extends z.ZodType>(item: T) => z.object({ data: z.array(item), has_more: z.boolean() }));
export interface StripeList<T> {
  data: T[];
  has_more: boolean;
}

/** `GET /v1/<resource>/search` envelope; `next_page` is the cursor for `page`. */
export const searchResultSchema = perItem(<T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), has_more: z.boolean(), next_page: nullish(z.string()), total_count: int.optional() }),
);
export interface StripeSearchResult<T> {
  data: T[];
  has_more: boolean;
  next_page: string | null;
  total_count?: number | undefined;
}

/**
 * Validates a Stripe body. On failure the GatewayError names the resource and the first
 * failing field path with what was expected; it never quotes the body.
 */
export function parseStripe<T extends z.ZodType>(schema: T, body: unknown, resource: string): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? formatPath(issue.path) : '(root)';
  const expected = issue?.code === 'invalid_type' ? `expected ${String(issue.expected)}` : (issue?.code ?? 'invalid').replace(/_/g, ' ');
  throw new GatewayError('UPSTREAM_BAD_RESPONSE', `Stripe returned a ${resource} that fails validation at ${path} (${expected})`, {
    service: 'billing',
  });
}
