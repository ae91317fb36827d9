/** `/v1/invoices` (CRUD, lifecycle actions, lines, search) and `/v1/invoiceitems`. */
import type { ApiContext, BillingApi } from './api.ts';
import { invalidParam, parameterMissing, referenceMissing, resourceMissing } from './errors.ts';
import { listResponse } from './list.ts';
import { getCustomer, getInvoice, getInvoiceItem, readInvoice } from './lookups.ts';
import { addInvoiceItem, deleteInvoiceItem, type InvoiceItemInput, itemTargets, updateInvoiceItem } from './ops-invoice-items.ts';
import {
  deleteInvoice,
  finalizeInvoice,
  type InvoiceInput,
  markUncollectible,
  payInvoice,
  updateInvoice,
  createInvoice,
  voidInvoice,
} from './ops-invoices.ts';
import { inRange, LIST_PARAMS, listParams, type Params } from './params.ts';
import type { InvoiceItemRec, InvoiceRec, InvoiceStatus } from './records.ts';
import { type Json, listObject, renderInvoice, renderInvoiceItem, renderLine } from './render.ts';
import { allOf, listQuery, type RouteDeps, searchQuery, updateAndDeleteRoutes, withExpand } from './routes-common.ts';
import type { SearchEngines } from './search-fields.ts';
import { expandObject, splitListExpand } from './expand.ts';

const STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;
const COLLECTION = ['charge_automatically', 'send_invoice'] as const;

const UPDATE_PARAMS = [
  'account_tax_ids',
  'application_fee_amount',
  'auto_advance',
  'automatic_tax',
  'collection_method',
  'custom_fields',
  'days_until_due',
  'default_payment_method',
  'default_source',
  'default_tax_rates',
  'description',
  'discounts',
  'due_date',
  'effective_at',
  'expand',
  'footer',
  'metadata',
  'on_behalf_of',
  'payment_settings',
  'rendering_options',
  'shipping_cost',
  'shipping_details',
  'statement_descriptor',
  'transfer_data',
];
/** Creating takes every update param, plus the ones fixed from then on (customer, currency, subscription…). */
const CREATE_PARAMS = [...UPDATE_PARAMS, 'currency', 'customer', 'from_invoice', 'pending_invoice_items_behavior', 'subscription'];
const ITEM_UPDATE_PARAMS = [
  'amount',
  'description',
  'discountable',
  'discounts',
  'expand',
  'metadata',
  'period',
  'price',
  'price_data',
  'quantity',
  'tax_behavior',
  'tax_code',
  'tax_rates',
  'unit_amount',
  'unit_amount_decimal',
];
/** Creating takes every update param, plus where the item goes (customer, invoice, subscription) and its currency. */
const ITEM_CREATE_PARAMS = [...ITEM_UPDATE_PARAMS, 'currency', 'customer', 'invoice', 'subscription'];

function invoiceInput(p: Params, allowed: string[]): InvoiceInput & { customer?: string } {
  p.allow(allowed);
  const days = p.has('days_until_due') && p.raw.days_until_due === '' ? null : p.int('days_until_due', { min: 0, max: 730 });
  const due = p.has('due_date') && p.raw.due_date === '' ? null : p.int('due_date');
  const behavior = p.enum('pending_invoice_items_behavior', ['exclude', 'include', 'include_and_require'] as const);
  return {
    customer: p.string('customer'),
    autoAdvance: p.bool('auto_advance'),
    collectionMethod: p.enum('collection_method', COLLECTION),
    daysUntilDue: days,
    dueDate: due,
    description: p.nullableString('description', 1500),
    footer: p.nullableString('footer'),
    statementDescriptor: p.nullableString('statement_descriptor', 22),
    metadata: p.metadata(),
    currency: p.string('currency')?.toLowerCase(),
    subscription: p.string('subscription'),
    pendingItems: behavior === undefined ? undefined : behavior === 'exclude' ? 'exclude' : 'include',
  };
}

function itemInput(p: Params, allowed: string[]): Omit<InvoiceItemInput, 'invoice'> & { customer?: string; invoiceId?: string } {
  p.allow(allowed);
  const priceData = p.hash('price_data');
  priceData?.allow(['currency', 'product', 'tax_behavior', 'unit_amount', 'unit_amount_decimal']);
  const period = p.hash('period');
  period?.allow(['start', 'end']);
  const unitAmount = p.int('unit_amount') ?? priceData?.int('unit_amount', { required: true });
  const currency = p.string('currency')?.toLowerCase() ?? priceData?.string('currency', { required: true })?.toLowerCase();
  const amount = p.int('amount');
  const price = p.string('price');
  if ([amount !== undefined, price !== undefined, unitAmount !== undefined].filter(Boolean).length > 1) {
    throw invalidParam(
      price !== undefined ? 'price' : 'amount',
      'You may only specify one of these parameters: amount, price, price_data, unit_amount.',
    );
  }
  return {
    customer: p.string('customer'),
    invoiceId: p.string('invoice'),
    price,
    amount,
    unitAmount,
    currency,
    quantity: p.int('quantity', { min: 0 }),
    description: p.nullableString('description'),
    metadata: p.metadata(),
    discountable: p.bool('discountable'),
    periodStart: period?.int('start', { required: true }),
    periodEnd: period?.int('end', { required: true }),
  };
}

export function invoiceRoutes(api: BillingApi, engines: SearchEngines, deps: RouteDeps): void {
  api.get('/v1/invoices', listInvoices);

  api.get('/v1/invoices/search', (ctx) => engines.invoices.search(searchQuery(ctx.params), deps.searchLagMs()));

  api.get('/v1/invoices/:id', (ctx) => {
    ctx.params.allow(['expand']);
    return withExpand(ctx, renderInvoice(ctx.store, readInvoice(ctx.store, ctx.req.params.id)));
  });

  api.get('/v1/invoices/:id/lines', listInvoiceLines);

  api.post('/v1/invoices', {
    validate: (p) => {
      const input = invoiceInput(p, CREATE_PARAMS);
      if (!input.customer) throw parameterMissing('customer');
      return input;
    },
    execute: (ctx, input) => {
      const c = getCustomer(ctx.store, input.customer!, 'customer');
      if (input.subscription) {
        const sub = ctx.store.subscriptions.get(input.subscription);
        if (!sub) throw referenceMissing('subscription', input.subscription, 'subscription');
        if (sub.customer !== c.id) throw invalidParam('subscription', `The subscription ${sub.id} does not belong to customer ${c.id}.`);
      }
      const inv = createInvoice(ctx, c, input);
      return withExpand(ctx, renderInvoice(ctx.store, inv));
    },
  });

  updateAndDeleteRoutes(api, '/v1/invoices', {
    get: getInvoice,
    input: (p) => invoiceInput(p, UPDATE_PARAMS),
    update: updateInvoice,
    remove: deleteInvoice,
  });
  invoiceTransitionRoutes(api);
  invoiceItemRoutes(api);
}

/** Finalize, pay, void, mark uncollectible: the invoice state machine's transitions. */
function invoiceTransitionRoutes(api: BillingApi): void {
  api.post('/v1/invoices/:id/finalize', {
    validate: (p) => p.allow(['auto_advance', 'expand']).bool('auto_advance'),
    execute: (ctx, autoAdvance) => withExpand(ctx, finalizeInvoice(ctx, getInvoice(ctx.store, ctx.req.params.id), { autoAdvance })),
  });

  api.post('/v1/invoices/:id/pay', {
    validate: (p) => {
      p.allow(['expand', 'forgive', 'mandate', 'off_session', 'paid_out_of_band', 'payment_method', 'source']);
      p.bool('forgive');
      p.bool('off_session');
      return { paidOutOfBand: p.bool('paid_out_of_band'), paymentMethod: p.string('payment_method') ?? p.string('source') };
    },
    execute: (ctx, input) => withExpand(ctx, payInvoice(ctx, getInvoice(ctx.store, ctx.req.params.id), input)),
  });

  api.post('/v1/invoices/:id/void', {
    validate: (p) => p.allow(['expand']),
    execute: (ctx) => withExpand(ctx, voidInvoice(ctx, getInvoice(ctx.store, ctx.req.params.id))),
  });

  api.post('/v1/invoices/:id/mark_uncollectible', {
    validate: (p) => p.allow(['expand']),
    execute: (ctx) => withExpand(ctx, markUncollectible(ctx, getInvoice(ctx.store, ctx.req.params.id))),
  });
}

function invoiceItemRoutes(api: BillingApi): void {
  api.get('/v1/invoiceitems', listInvoiceItems);

  api.get('/v1/invoiceitems/:id', (ctx) => {
    ctx.params.allow(['expand']);
    const item = ctx.store.invoiceItems.peekAny(ctx.req.params.id);
    if (!item) throw resourceMissing('invoiceitem', ctx.req.params.id);
    if (!ctx.store.invoiceItems.peek(item.id)) return { id: item.id, object: 'invoiceitem', deleted: true };
    return withExpand(ctx, renderInvoiceItem(ctx.store, item));
  });

  api.post('/v1/invoiceitems', {
    validate: (p) => {
      const input = itemInput(p, ITEM_CREATE_PARAMS);
      if (!input.customer) throw parameterMissing('customer');
      if (input.price === undefined && input.amount === undefined && input.unitAmount === undefined) throw parameterMissing('amount');
      if (input.price === undefined && !input.currency) throw parameterMissing('currency');
      return input;
    },
    execute: (ctx, input) => {
      const { customer, invoice } = itemTargets(ctx, input.customer!, input.invoiceId);
      return withExpand(ctx, addInvoiceItem(ctx, customer, { ...input, invoice }));
    },
  });

  updateAndDeleteRoutes(api, '/v1/invoiceitems', {
    get: getInvoiceItem,
    input: (p) => itemInput(p, ITEM_UPDATE_PARAMS),
    update: updateInvoiceItem,
    remove: deleteInvoiceItem,
  });
}

/** `GET /v1/invoices`: a customer's or subscription's bucket when one is given, else every invoice. */
function listInvoices(ctx: ApiContext): Json {
  const q = listQuery(ctx.params, ['collection_method', 'customer', 'due_date', 'status', 'subscription']);
  const { store, params } = ctx;
  const customer = params.string('customer');
  const subscription = params.string('subscription');
  const status = params.enum('status', STATUSES);
  const collection = params.enum('collection_method', COLLECTION);
  const due = params.range('due_date');
  return listResponse(store, q, {
    url: '/v1/invoices',
    table: store.invoices,
    by: { customer, subscription },
    filter: allOf<InvoiceRec>(
      status !== undefined && ((i) => i.status === (status as InvoiceStatus)),
      collection !== undefined && ((i) => i.collectionMethod === collection),
      due !== undefined && ((i) => i.dueDate !== null && inRange(i.dueDate, due)),
    ),
    columns: [
      ...(status !== undefined ? [['status', (v: unknown) => v === status] as const] : []),
      ...(collection !== undefined ? [['collectionMethod', (v: unknown) => v === collection] as const] : []),
    ],
    render: (i) => renderInvoice(store, i),
  });
}

/** `GET /v1/invoices/:id/lines`: the invoice's own line order, paged by line id. */
function listInvoiceLines(ctx: ApiContext): Json {
  const { params, store } = ctx;
  params.allow([...LIST_PARAMS]);
  const list = listParams(params);
  const inv = readInvoice(store, ctx.req.params.id);
  const { itemPaths } = splitListExpand(list.expand, false);
  const ids = inv.lines.map((l) => (l.kind === 'invoiceitem' ? l.lineId : l.id));
  const position = (id: string, param: string) => {
    const at = ids.indexOf(id);
    if (at < 0) throw referenceMissing('line item', id, param);
    return at;
  };
  // Lines keep the invoice's order; the cursor is a line id.
  let from = 0;
  let to = inv.lines.length;
  if (list.startingAfter) from = position(list.startingAfter, 'starting_after') + 1;
  if (list.endingBefore) {
    to = position(list.endingBefore, 'ending_before');
    from = Math.max(0, to - list.limit);
  }
  const slice = inv.lines.slice(from, Math.min(to, from + list.limit));
  const hasMore = list.endingBefore ? from > 0 : from + slice.length < to;
  return listObject(
    `/v1/invoices/${inv.id}/lines`,
    slice.map((l) => expandObject(store, renderLine(store, l), itemPaths)),
    hasMore,
  );
}

/** `GET /v1/invoiceitems`: an invoice's or customer's bucket when one is given, else every item. */
function listInvoiceItems(ctx: ApiContext): Json {
  const q = listQuery(ctx.params, ['customer', 'invoice', 'pending']);
  const { store, params } = ctx;
  const customer = params.string('customer');
  const invoice = params.string('invoice');
  const pending = params.bool('pending');
  return listResponse(store, q, {
    url: '/v1/invoiceitems',
    table: store.invoiceItems,
    by: { invoice, customer },
    filter: allOf<InvoiceItemRec>(pending !== undefined && ((i) => (i.invoice === null) === pending)),
    render: (i) => renderInvoiceItem(store, i),
  });
}
