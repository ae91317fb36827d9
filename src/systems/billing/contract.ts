/**
 * What the billing connector relies on of Stripe, as data (see src/contracts/): the pinned
 * API version, and per route the parameters sent, the response fields read (listed from the
 * validators in schemas.ts) and the public fields they feed. `npm run vendor:check` holds it
 * against Stripe's published OpenAPI document.
 */
import type { RouteContract, SystemContract } from '../../contracts/types.ts';
import { createdObjectSchema } from './client.ts';
import { eventList } from './events.ts';
import { STRIPE_API_VERSION } from './profile.ts';
import {
  chargeSchema,
  customerSchema,
  invoiceSchema,
  listSchema,
  priceSchema,
  searchResultSchema,
  subscriptionSchema,
  type StripeChargeStatus,
  type StripeInvoiceStatus,
  type StripeSubscriptionStatus,
} from './schemas.ts';

type Reads = Record<string, readonly string[]>;
/** The named values of an open enum (`'draft' | … | (string & {})` → `'draft' | …`). */
type Named<T> = T extends string ? (string extends T ? never : T) : never;
type Known<T extends string> = readonly Named<T>[];

/** The known values of Stripe's open enums: the public enums' values but OTHER. */
export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const satisfies Known<StripeInvoiceStatus>;
export const SUBSCRIPTION_STATUSES = [
  'active',
  'canceled',
  'incomplete',
  'incomplete_expired',
  'past_due',
  'paused',
  'trialing',
  'unpaid',
] as const satisfies Known<StripeSubscriptionStatus>;
export const CHARGE_STATUSES = ['succeeded', 'pending', 'failed'] as const satisfies Known<StripeChargeStatus>;

const CUSTOMER: Reads = {
  id: ['Customer.id'],
  email: ['Customer.email'],
  name: ['Customer.name'],
  phone: ['Customer.phone'],
  description: ['Customer.description'],
  currency: ['Customer.currency', 'Customer.balance'],
  balance: ['Customer.balance'],
  delinquent: ['Customer.delinquent'],
  created: ['Customer.createdAt'],
  metadata: ['Customer.hubspotContactId', 'Customer.metadata'],
};

const INVOICE_MONEY = ['Invoice.amountDue', 'Invoice.amountPaid', 'Invoice.amountRemaining', 'Invoice.subtotal', 'Invoice.total'];
const INVOICE: Reads = {
  id: ['Invoice.id'],
  customer: ['Invoice.customer'],
  subscription: ['Invoice.subscription'],
  status: ['Invoice.status', 'Invoice.statusRaw'],
  number: ['Invoice.number'],
  currency: ['Invoice.currency', ...INVOICE_MONEY],
  amount_due: ['Invoice.amountDue'],
  amount_paid: ['Invoice.amountPaid'],
  amount_remaining: ['Invoice.amountRemaining'],
  subtotal: ['Invoice.subtotal'],
  total: ['Invoice.total'],
  due_date: ['Invoice.dueDate'],
  created: ['Invoice.createdAt'],
  period_start: ['Invoice.periodStart'],
  period_end: ['Invoice.periodEnd'],
  hosted_invoice_url: ['Invoice.hostedInvoiceUrl'],
  lines: ['Invoice.lines'],
  'lines.data': ['Invoice.lines'],
  'lines.has_more': ['Invoice.hasMoreLines'],
  'lines.data[].id': ['InvoiceLineItem.id'],
  'lines.data[].description': ['InvoiceLineItem.description'],
  'lines.data[].amount': ['InvoiceLineItem.amount'],
  'lines.data[].currency': ['InvoiceLineItem.amount'],
  'lines.data[].quantity': ['InvoiceLineItem.quantity'],
  'lines.data[].period': ['InvoiceLineItem.period'],
  'lines.data[].period.start': ['BillingPeriod.start'],
  'lines.data[].period.end': ['BillingPeriod.end'],
  'lines.data[].price': ['InvoiceLineItem.priceId'],
};

const SUBSCRIPTION: Reads = {
  id: ['BillingSubscription.id'],
  customer: ['BillingSubscription.customer'],
  status: ['BillingSubscription.status', 'BillingSubscription.statusRaw'],
  items: ['BillingSubscription.items'],
  'items.data': ['BillingSubscription.items'],
  'items.data[].id': ['SubscriptionItem.id'],
  'items.data[].price': ['SubscriptionItem.priceId', 'SubscriptionItem.unitAmount', 'SubscriptionItem.interval'],
  'items.data[].price.id': ['SubscriptionItem.priceId'],
  'items.data[].price.currency': ['SubscriptionItem.unitAmount'],
  'items.data[].price.unit_amount': ['SubscriptionItem.unitAmount'],
  'items.data[].price.recurring': ['SubscriptionItem.interval'],
  'items.data[].price.recurring.interval': ['SubscriptionItem.interval'],
  'items.data[].quantity': ['SubscriptionItem.quantity'],
  current_period_start: ['BillingSubscription.currentPeriodStart'],
  current_period_end: ['BillingSubscription.currentPeriodEnd'],
  cancel_at_period_end: ['BillingSubscription.cancelAtPeriodEnd'],
  canceled_at: ['BillingSubscription.canceledAt'],
  latest_invoice: ['BillingSubscription.latestInvoice'],
  created: ['BillingSubscription.createdAt'],
};

const CHARGE: Reads = {
  id: ['Charge.id'],
  amount: ['Charge.amount'],
  amount_refunded: ['Charge.amountRefunded'],
  currency: ['Charge.amount', 'Charge.amountRefunded'],
  status: ['Charge.status', 'Charge.statusRaw'],
  paid: ['Charge.paid'],
  refunded: ['Charge.refunded'],
  customer: ['Charge.customer'],
  invoice: ['Charge.invoice'],
  payment_intent: ['Charge.paymentIntentId'],
  failure_message: ['Charge.failureMessage'],
  receipt_url: ['Charge.receiptUrl'],
  created: ['Charge.createdAt'],
};

/** A resource's reads inside a list or search envelope's `data`. */
function inData(reads: Reads, extra: Reads = {}): Reads {
  const out: Reads = { data: [], has_more: [] };
  for (const [path, fields] of Object.entries(reads)) out[`data[].${path}`] = fields;
  for (const [path, fields] of Object.entries(extra)) out[path] = [...(out[path] ?? []), ...fields];
  return out;
}

function inEnvelope(enums: Readonly<Record<string, readonly string[]>>): Record<string, readonly string[]> {
  return Object.fromEntries(Object.entries(enums).map(([path, values]) => [`data[].${path}`, values]));
}

const LIST_PARAMS = ['limit', 'starting_after'];
const SEARCH_PARAMS = ['query', 'limit', 'page', 'expand'];
const CUSTOMER_FORM = ['email', 'name', 'phone', 'description', 'metadata'];
const invoiceEnums = { status: INVOICE_STATUSES };
/** Stripe's document: an invoice's `id` is "always present unless the invoice is an upcoming invoice", which no call here asks for. */
const INVOICE_ID = 'only an upcoming-invoice preview has none, and no call here reads one';
const invoiceId = { id: INVOICE_ID };
const invoiceIdInData = { 'data[].id': INVOICE_ID };
const subscriptionEnums = { status: SUBSCRIPTION_STATUSES };
const chargeEnums = { status: CHARGE_STATUSES };

const customers: RouteContract[] = [
  {
    route: 'GET /v1/customers/{customer}',
    calls: 'retrieveCustomer',
    params: [],
    response: customerSchema,
    graphql: ['Query.customer', 'Invoice.customer', 'BillingSubscription.customer', 'Charge.customer', 'Mutation.updateCustomer'],
    reads: CUSTOMER,
  },
  {
    route: 'GET /v1/customers',
    calls: 'listCustomers',
    params: [...LIST_PARAMS, 'email'],
    response: listSchema(customerSchema),
    graphql: ['Query.customers'],
    reads: inData(CUSTOMER, { has_more: ['CustomerConnection.pageInfo'] }),
  },
  {
    route: 'GET /v1/customers/search',
    calls: 'searchCustomers (contact ↔ customer links, filtered customer pages)',
    params: SEARCH_PARAMS,
    response: searchResultSchema(customerSchema),
    graphql: ['Contact.billingCustomer', 'Contact.invoices', 'Contact.subscriptions', 'Company.billingCustomers', 'Query.customers'],
    reads: inData(CUSTOMER, {
      'data[].metadata': ['Contact.billingCustomer'],
      'data[].email': ['Contact.billingCustomer'],
      has_more: ['CustomerConnection.pageInfo'],
      next_page: ['CustomerConnection.pageInfo'],
      total_count: ['CustomerConnection.totalCount'],
    }),
  },
  {
    route: 'POST /v1/customers',
    calls: 'createCustomer',
    params: CUSTOMER_FORM,
    response: customerSchema,
    graphql: ['Mutation.createCustomer', 'Mutation.onboardCustomer', 'Mutation.winDeal'],
    reads: CUSTOMER,
  },
  {
    route: 'POST /v1/customers/{customer}',
    calls: 'updateCustomer',
    params: CUSTOMER_FORM,
    response: customerSchema,
    graphql: ['Mutation.updateCustomer'],
    reads: CUSTOMER,
  },
  {
    route: 'DELETE /v1/customers/{customer}',
    calls: 'deleteCustomer (a workflow undo)',
    params: [],
    response: null,
    graphql: ['Mutation.onboardCustomer', 'Mutation.winDeal'],
    reads: {},
  },
];

const invoices: RouteContract[] = [
  {
    route: 'GET /v1/invoices/{invoice}',
    calls: 'retrieveInvoice',
    params: [],
    response: invoiceSchema,
    graphql: ['Query.invoice', 'BillingSubscription.latestInvoice', 'Charge.invoice', 'Mutation.createInvoice', 'Mutation.winDeal'],
    reads: INVOICE,
    enums: invoiceEnums,
    alwaysSent: invoiceId,
  },
  {
    route: 'GET /v1/invoices',
    calls: 'listInvoices',
    params: [...LIST_PARAMS, 'customer', 'status', 'created', 'due_date'],
    response: listSchema(invoiceSchema),
    graphql: ['Query.invoices'],
    reads: inData(INVOICE, { has_more: ['InvoiceConnection.pageInfo'] }),
    enums: inEnvelope(invoiceEnums),
    alwaysSent: invoiceIdInData,
  },
  {
    route: 'GET /v1/invoices/search',
    calls: "searchInvoices (a customer's invoices, filtered invoice pages)",
    params: SEARCH_PARAMS,
    response: searchResultSchema(invoiceSchema),
    graphql: ['Customer.invoices', 'Contact.invoices', 'Query.invoices'],
    reads: inData(INVOICE, {
      has_more: ['InvoiceConnection.pageInfo'],
      next_page: ['InvoiceConnection.pageInfo'],
      total_count: ['InvoiceConnection.totalCount'],
    }),
    enums: inEnvelope(invoiceEnums),
    alwaysSent: invoiceIdInData,
  },
  {
    route: 'POST /v1/invoices',
    calls: 'createInvoice',
    params: [
      'customer',
      'currency',
      'description',
      'collection_method',
      'days_until_due',
      'auto_advance',
      'pending_invoice_items_behavior',
    ],
    response: invoiceSchema,
    graphql: ['Mutation.createInvoice', 'Mutation.winDeal'],
    reads: INVOICE,
    enums: invoiceEnums,
    alwaysSent: invoiceId,
  },
  {
    route: 'POST /v1/invoiceitems',
    calls: 'createInvoiceItem',
    params: ['customer', 'invoice', 'currency', 'description', 'unit_amount', 'quantity'],
    // Only the new item's id is validated; the lines are read back with the invoice.
    response: createdObjectSchema,
    graphql: ['Mutation.createInvoice', 'Mutation.winDeal'],
    reads: {},
  },
  ...(['finalize', 'pay', 'void'] as const).map((action): RouteContract => ({
    route: `POST /v1/invoices/{invoice}/${action}`,
    calls: `${action}Invoice`,
    params: { finalize: ['auto_advance'], pay: ['paid_out_of_band'], void: [] }[action],
    response: invoiceSchema,
    graphql: [`Mutation.${action}Invoice`, 'Mutation.winDeal'],
    reads: INVOICE,
    enums: invoiceEnums,
    alwaysSent: invoiceId,
  })),
  {
    route: 'DELETE /v1/invoices/{invoice}',
    calls: 'deleteInvoice (a workflow undo)',
    params: [],
    response: null,
    graphql: ['Mutation.winDeal'],
    reads: {},
  },
];

const subscriptions: RouteContract[] = [
  {
    route: 'GET /v1/subscriptions/{subscription_exposed_id}',
    calls: 'retrieveSubscription',
    params: [],
    response: subscriptionSchema,
    graphql: ['Query.subscription', 'Invoice.subscription'],
    reads: SUBSCRIPTION,
    enums: subscriptionEnums,
  },
  {
    route: 'GET /v1/subscriptions',
    calls: "listSubscriptions (also a customer's subscriptions)",
    params: [...LIST_PARAMS, 'customer', 'status'],
    response: listSchema(subscriptionSchema),
    graphql: ['Query.subscriptions', 'Customer.subscriptions', 'Contact.subscriptions'],
    reads: inData(SUBSCRIPTION, { has_more: ['SubscriptionConnection.pageInfo'] }),
    enums: inEnvelope(subscriptionEnums),
  },
  {
    route: 'POST /v1/subscriptions',
    calls: 'createSubscription',
    params: ['customer', 'items', 'collection_method', 'days_until_due', 'trial_period_days'],
    response: subscriptionSchema,
    graphql: ['Mutation.onboardCustomer'],
    reads: SUBSCRIPTION,
    enums: subscriptionEnums,
  },
  {
    route: 'DELETE /v1/subscriptions/{subscription_exposed_id}',
    calls: 'cancelSubscription (a workflow undo)',
    params: [],
    response: subscriptionSchema,
    graphql: ['Mutation.onboardCustomer'],
    reads: {},
    enums: subscriptionEnums,
  },
];

const charges: RouteContract[] = [
  {
    route: 'GET /v1/charges/{charge}',
    calls: 'retrieveCharge',
    params: [],
    response: chargeSchema,
    graphql: ['Query.charge'],
    reads: CHARGE,
    enums: chargeEnums,
  },
  {
    route: 'GET /v1/charges',
    calls: 'listCharges',
    params: [...LIST_PARAMS, 'customer'],
    response: listSchema(chargeSchema),
    graphql: ['Query.charges'],
    reads: inData(CHARGE, { has_more: ['ChargeConnection.pageInfo'] }),
    enums: inEnvelope(chargeEnums),
  },
  {
    route: 'GET /v1/charges/search',
    calls: "searchCharges (a customer's charges)",
    params: SEARCH_PARAMS,
    response: searchResultSchema(chargeSchema),
    graphql: ['Customer.charges'],
    reads: inData(CHARGE),
    enums: inEnvelope(chargeEnums),
  },
];

const others: RouteContract[] = [
  {
    route: 'GET /v1/prices/{price}',
    calls: 'retrievePrice (checks a plan before onboarding)',
    params: [],
    response: priceSchema,
    graphql: ['Mutation.onboardCustomer'],
    // A one-time price is refused as a plan: onboarding fails with BAD_USER_INPUT.
    reads: { id: ['Mutation.onboardCustomer'], recurring: ['Mutation.onboardCustomer'] },
  },
  {
    route: 'GET /v1/events',
    calls: 'listEventsSince (catch-up after downtime)',
    params: [...LIST_PARAMS, 'created'],
    response: eventList,
    // The catch-up feeds live subscriptions and cache invalidation, not a field.
    graphql: [],
    reads: {},
  },
];

export const billingContract: SystemContract = {
  system: 'billing',
  vendor: 'Stripe',
  apiVersion: STRIPE_API_VERSION,
  document: 'stripe',
  routes: [...customers, ...invoices, ...subscriptions, ...charges, ...others],
};
