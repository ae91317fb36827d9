/**
 * `expand[]`: replaces an id with the object it names, or adds an includable field such as
 * `customer.subscriptions`, along dotted paths (`latest_invoice.payment_intent`,
 * `lines.data.price.product`). Lists are walked through `data`. A path through a field that
 * is not expandable fails the way Stripe does: 400 "This property cannot be expanded (x)."
 */
import { invalidParam } from './errors.ts';
import { customerIncludable, type Json, renderPaymentMethod, renderRecord } from './render.ts';
import type { AnyRecord } from './records.ts';
import type { BillingStore } from './store.ts';

/** Expandable fields per object type; a nested field is written with its parent (`invoice_settings.default_payment_method`). */
const EXPANDABLE: Record<string, readonly string[]> = {
  customer: [
    'default_source',
    'invoice_settings.default_payment_method',
    'test_clock',
    'subscriptions',
    'sources',
    'tax_ids',
    'tax',
    'cash_balance',
    'invoice_credit_balance',
  ],
  invoice: [
    'customer',
    'subscription',
    'payment_intent',
    'charge',
    'default_payment_method',
    'default_source',
    'latest_revision',
    'on_behalf_of',
    'application',
    'test_clock',
    'account_tax_ids',
    'discounts',
  ],
  subscription: [
    'customer',
    'latest_invoice',
    'default_payment_method',
    'default_source',
    'pending_setup_intent',
    'schedule',
    'test_clock',
    'application',
    'on_behalf_of',
  ],
  charge: [
    'customer',
    'invoice',
    'payment_intent',
    'balance_transaction',
    'application',
    'application_fee',
    'review',
    'on_behalf_of',
    'source_transfer',
    'failure_balance_transaction',
  ],
  payment_intent: ['customer', 'invoice', 'latest_charge', 'payment_method', 'application', 'review', 'on_behalf_of'],
  price: ['product'],
  plan: ['product'],
  product: ['default_price'],
  line_item: ['subscription', 'subscription_item', 'invoice_item', 'discounts'],
  invoiceitem: ['customer', 'invoice', 'subscription', 'discounts'],
  subscription_item: [],
  event: [],
};

const INCLUDABLE_CUSTOMER = new Set(['subscriptions', 'sources', 'tax_ids', 'tax', 'cash_balance', 'invoice_credit_balance']);

const notExpandable = (path: string, field: string) =>
  invalidParam('expand', `This property cannot be expanded (${field}).${path !== field ? ` Full path: ${path}.` : ''}`);

/** The table an id's prefix names (`cus_` → customers). */
const TABLE_OF_PREFIX: Readonly<Record<string, (store: BillingStore) => { peekAny(id: string): AnyRecord | undefined }>> = {
  cus_: (store) => store.customers,
  in_: (store) => store.invoices,
  ii_: (store) => store.invoiceItems,
  sub_: (store) => store.subscriptions,
  ch_: (store) => store.charges,
  pi_: (store) => store.paymentIntents,
  price_: (store) => store.prices,
  prod_: (store) => store.products,
};

/** Expansion only reads: seeded rows are built transiently, never adopted. */
function lookup(store: BillingStore, id: string): AnyRecord | undefined {
  const prefix = id.slice(0, id.indexOf('_') + 1);
  return Object.hasOwn(TABLE_OF_PREFIX, prefix) ? TABLE_OF_PREFIX[prefix](store).peekAny(id) : undefined;
}

/** The object an id names, as its own GET would render it (before further expansion). */
function resolve(store: BillingStore, id: string, parent: Json, field: string): Json | string {
  if (id.startsWith('pm_')) return renderPaymentMethod(store, id, typeof parent.customer === 'string' ? parent.customer : null);
  if (id.startsWith('txn_') && parent.object === 'charge') {
    const amount = parent.amount as number;
    const fee = Math.round(amount * 0.029) + 30;
    return {
      id,
      object: 'balance_transaction',
      amount,
      available_on: (parent.created as number) + 2 * 86_400,
      created: parent.created,
      currency: parent.currency,
      description: parent.description,
      exchange_rate: null,
      fee,
      fee_details: [
        { amount: fee, application: null, currency: parent.currency, description: 'Stripe processing fees', type: 'stripe_fee' },
      ],
      net: amount - fee,
      reporting_category: 'charge',
      source: parent.id,
      status: 'available',
      type: 'charge',
    };
  }
  if (id.startsWith('si_') && field === 'subscription_item' && typeof parent.subscription === 'string') {
    const sub = store.subscriptions.peekAny(parent.subscription);
    const items = sub ? ((renderRecord(store, sub).items as Json).data as Json[]) : [];
    return items.find((i) => i.id === id) ?? id;
  }
  const rec = lookup(store, id);
  return rec ? renderRecord(store, rec) : id;
}

function walk(store: BillingStore, node: Json, segments: string[], path: string, typed: { type: string; prefix: string }): void {
  const [field, ...rest] = segments;
  const value = node[field];
  const relative = typed.prefix ? `${typed.prefix}.${field}` : field;
  const allowed = EXPANDABLE[typed.type]?.includes(relative) ?? false;

  if (value === undefined) {
    // A deleted object is a stub: nothing on it expands, and asking is not an error.
    if (node.deleted === true) return;
    if (typed.type === 'customer' && INCLUDABLE_CUSTOMER.has(relative)) {
      const rec = store.customers.getAny(node.id as string);
      if (rec) node[field] = customerIncludable(store, rec, field);
      const included = node[field];
      if (rest.length > 0 && included && typeof included === 'object') walkInto(store, included as Json, rest, path);
      return;
    }
    throw notExpandable(path, field);
  }
  if (typeof value === 'string') {
    if (!allowed) throw notExpandable(path, field);
    const expanded = resolve(store, value, node, field);
    node[field] = expanded;
    if (rest.length > 0 && typeof expanded === 'object') walkInto(store, expanded, rest, path);
    return;
  }
  if (value === null) {
    if (!allowed && !(typed.type === 'customer' && INCLUDABLE_CUSTOMER.has(relative))) throw notExpandable(path, field);
    return;
  }
  if (Array.isArray(value)) {
    if (!allowed) throw notExpandable(path, field);
    return;
  }
  if (typeof value === 'object') {
    if (rest.length === 0) {
      // Already an object (`lines`, `price`): expanding it again is a no-op, as at Stripe.
      return;
    }
    const obj = value as Json;
    if (typeof obj.object === 'string') walkInto(store, obj, rest, path);
    else walk(store, obj, rest, path, { type: typed.type, prefix: relative });
    return;
  }
  throw notExpandable(path, field);
}

function walkInto(store: BillingStore, obj: Json, segments: string[], path: string): void {
  if (obj.object === 'list' || obj.object === 'search_result') {
    const [first, ...rest] = segments;
    if (first !== 'data') throw notExpandable(path, first);
    if (rest.length === 0) return;
    for (const item of obj.data as Json[]) walkInto(store, item, rest, path);
    return;
  }
  walk(store, obj, segments, path, { type: String(obj.object), prefix: '' });
}

/** Applies `expand[]` paths to one rendered object in place. */
export function expandObject(store: BillingStore, obj: Json, paths: readonly string[]): Json {
  for (const path of paths) walkInto(store, obj, path.split('.'), path);
  return obj;
}

/**
 * Applies `expand[]` to a list or search result: paths must start with `data.` (Stripe's hint
 * otherwise); `total_count` is accepted where `allowTotalCount` (search) and reported back.
 */
export function splitListExpand(paths: readonly string[], allowTotalCount: boolean): { itemPaths: string[]; totalCount: boolean } {
  const itemPaths: string[] = [];
  let totalCount = false;
  for (const path of paths) {
    if (allowTotalCount && path === 'total_count') totalCount = true;
    else if (path.startsWith('data.')) itemPaths.push(path.slice(5));
    else if (path === 'data') continue;
    else
      throw invalidParam(
        'expand',
        `This property cannot be expanded (${path.split('.')[0]}). You may want to try expanding 'data.${path}' instead.`,
      );
  }
  return { itemPaths, totalCount };
}
