/**
 * Resolvers of the billing subschema. Parents are parsed Stripe records (see the codegen
 * mappers); every read goes through `context.loaders.billing`, never HTTP.
 *
 * Missing records: a root field by id (`customer(id)`, …) answers null with a NOT_FOUND
 * error at its path; a link to a record that no longer exists (an invoice's deleted
 * customer) is plain null; the `_…ByIds` entry points answer null per missing key, as
 * stitching expects.
 */
import { GatewayError } from '../../src/errors.ts';
import type { BillingLoaders, StripeCustomer, StripeInvoice } from '../../src/systems/billing/index.ts';
import { HUBSPOT_CONTACT_METADATA_KEY } from '../../src/links/contact-customer.ts';
import type { InvoiceStatus, Resolvers } from '../../src/generated/billing.ts';
import { selectedFields } from '../../src/gateway/selection.ts';
import { customerConditions, invoiceQuery, listConnection, listParams, searchConnection } from './lists.ts';
import { checkOffsetPage, lazyIdListConnection, offsetConnection, type Connection, type PageArgs } from '../connection.ts';
import { DateTime } from '../scalars.ts';
import { money } from '../money.ts';
import { chargeStatus, invoiceStatus, subscriptionStatus } from './statuses.ts';

const fromUnix = (seconds: number) => new Date(seconds * 1000);
const fromUnixOrNull = (seconds: number | null) => (seconds === null ? null : fromUnix(seconds));

/** An invoice status argument filters in the gateway: invoices are loaded once per customer, all statuses. */
function withStatus(invoices: StripeInvoice[], status: InvoiceStatus | null | undefined): StripeInvoice[] {
  if (!status) return invoices;
  return invoices.filter((invoice) => invoiceStatus.fromRaw(invoice.status) === status);
}

/** Statuses for a customer's invoices, filtered over the whole list (so OTHER can match too). */
function statusSet({ statuses }: { statuses?: readonly InvoiceStatus[] | null }): ReadonlySet<InvoiceStatus> | undefined {
  if (statuses === null || statuses === undefined) return undefined;
  if (statuses.length === 0) {
    throw new GatewayError('BAD_USER_INPUT', 'statuses must name at least one status', { fields: { statuses: 'empty' } });
  }
  return new Set(statuses);
}

/** A customer's invoices a page at a time; with statuses, filtered over the whole list first. */
async function invoicePage(
  billing: BillingLoaders,
  customerOf: () => Promise<string | undefined>,
  args: PageArgs & { statuses?: readonly InvoiceStatus[] | null },
): Promise<Connection<StripeInvoice>> {
  const statuses = statusSet(args);
  checkOffsetPage(args);
  const customerId = await customerOf();
  if (customerId === undefined) return offsetConnection([], args);
  if (!statuses) return lazyIdListConnection(args, () => billing.invoiceIdsByCustomer.load(customerId), billing.invoice);
  const invoices = await billing.invoicesOfCustomer(customerId);
  return offsetConnection(
    invoices.filter((invoice) => statuses.has(invoiceStatus.fromRaw(invoice.status))),
    args,
  );
}

function required<T>(record: T | null, what: string): T {
  if (record === null) throw new GatewayError('NOT_FOUND', `Stripe has no such ${what}`, { service: 'billing' });
  return record;
}

/**
 * loadMany's per-key Errors as rejected items: graphql-js nulls just that list item and
 * reports the error at its path, which stitching relocates to the merged object.
 */
function perKey<T>(results: readonly (T | null | Error)[]): (T | null | Promise<never>)[] {
  return results.map((result) => (result instanceof Error ? Promise.reject(result) : result));
}

const loadCustomer = (loaders: { customer: { load(id: string): Promise<StripeCustomer | null> } }, id: string | null) =>
  id === null ? null : loaders.customer.load(id);

export const billingResolvers: Resolvers = {
  DateTime,

  Query: {
    customer: async (_, { id }, { loaders }) => required(await loaders.billing.customer.load(id), 'customer'),
    customers: async (_, { first, after, filter }, { loaders }, info) => {
      const conditions = customerConditions(filter);
      if (conditions)
        return searchConnection(
          (page) => loaders.billing.customersSearch(conditions, page),
          { first, after },
          selectedFields(info).names.has('totalCount'),
        );
      return listConnection(await loaders.billing.customersPage({ ...listParams(first, after), email: filter?.email ?? undefined }));
    },

    invoice: async (_, { id }, { loaders }) => required(await loaders.billing.invoice.load(id), 'invoice'),
    invoices: async (_, { first, after, filter }, { loaders }, info) => {
      const query = invoiceQuery(filter);
      if ('search' in query)
        return searchConnection(
          (page) => loaders.billing.invoicesSearch(query.search, page),
          { first, after },
          selectedFields(info).names.has('totalCount'),
        );
      return listConnection(await loaders.billing.invoicesPage({ ...listParams(first, after), ...query.list }));
    },

    subscription: async (_, { id }, { loaders }) => required(await loaders.billing.subscription.load(id), 'subscription'),
    subscriptions: async (_, { first, after, filter }, { loaders }) =>
      listConnection(
        await loaders.billing.subscriptionsPage({
          ...listParams(first, after),
          customer: filter?.customerId ?? undefined,
          // Stripe's default leaves canceled subscriptions out; the list promises all of them.
          status: filter?.status ? subscriptionStatus.toRaw(filter.status, 'status') : 'all',
        }),
      ),

    charge: async (_, { id }, { loaders }) => required(await loaders.billing.charge.load(id), 'charge'),
    charges: async (_, { first, after, filter }, { loaders }) =>
      listConnection(await loaders.billing.chargesPage({ ...listParams(first, after), customer: filter?.customerId ?? undefined })),

    _customersByIds: async (_, { ids }, { loaders }) => perKey(await loaders.billing.customer.loadMany(ids)),
    _invoicesByIds: async (_, { ids }, { loaders }) => perKey(await loaders.billing.invoice.loadMany(ids)),
    // The CRM owns contacts and companies; the keys are all this subschema needs of them.
    _billingContacts: (_, { keys }) => keys.map(({ id, email }) => ({ id, email: email ?? null })),
    _billingCompanies: (_, { keys }) => keys.map(({ id, contactIds }) => ({ id, contactIds: contactIds ?? null })),
  },

  Contact: {
    billingCustomer: (contact, _, { loaders }) => loaders.billing.customerForContact(contact),
    invoices: async (contact, { status }, { loaders }) => {
      const customer = await loaders.billing.customerForContact(contact);
      return customer ? withStatus(await loaders.billing.invoicesOfCustomer(customer.id), status) : [];
    },
    invoicesConnection: (contact, args, { loaders }) =>
      invoicePage(loaders.billing, async () => (await loaders.billing.customerForContact(contact))?.id, args),
    subscriptions: async (contact, _, { loaders }) => {
      const customer = await loaders.billing.customerForContact(contact);
      return customer ? loaders.billing.subscriptionsOfCustomer(customer.id) : [];
    },
    subscriptionsConnection: (contact, args, { loaders }) =>
      lazyIdListConnection(
        args,
        async () => {
          const customer = await loaders.billing.customerForContact(contact);
          return customer ? loaders.billing.subscriptionIdsByCustomer.load(customer.id) : [];
        },
        loaders.billing.subscription,
      ),
  },

  Company: {
    billingCustomers: async (company, _, { loaders }) => {
      // Without the key, ask the CRM loader: it answers from this request's memo, so the
      // error is the CRM's own (its code and service), at this field.
      const contactIds = company.contactIds ?? (await loaders.crm.companyContacts.load(company.id))?.ids ?? [];
      return loaders.billing.customersOfContacts(contactIds);
    },
    billingCustomersConnection: async (company, args, { loaders }) => {
      checkOffsetPage(args);
      const contactIds = company.contactIds ?? (await loaders.crm.companyContacts.load(company.id))?.ids ?? [];
      return offsetConnection(await loaders.billing.customersOfContacts(contactIds), args);
    },
  },

  Customer: {
    balance: (customer) => (customer.currency ? money(customer.balance, customer.currency) : null),
    createdAt: (customer) => fromUnix(customer.created),
    hubspotContactId: (customer) => customer.metadata[HUBSPOT_CONTACT_METADATA_KEY] ?? null,
    metadata: (customer) =>
      Object.entries(customer.metadata)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => ({ key, value })),
    invoices: async (customer, { status }, { loaders }) => withStatus(await loaders.billing.invoicesOfCustomer(customer.id), status),
    invoicesConnection: (customer, args, { loaders }) => invoicePage(loaders.billing, async () => customer.id, args),
    subscriptions: (customer, _, { loaders }) => loaders.billing.subscriptionsOfCustomer(customer.id),
    subscriptionsConnection: (customer, args, { loaders }) =>
      lazyIdListConnection(args, () => loaders.billing.subscriptionIdsByCustomer.load(customer.id), loaders.billing.subscription),
    charges: (customer, _, { loaders }) => loaders.billing.chargesOfCustomer(customer.id),
    chargesConnection: (customer, args, { loaders }) =>
      lazyIdListConnection(args, () => loaders.billing.chargeIdsByCustomer.load(customer.id), loaders.billing.charge),
  },

  Invoice: {
    status: (invoice) => invoiceStatus.fromRaw(invoice.status),
    statusRaw: (invoice) => invoice.status ?? '',
    customer: (invoice, _, { loaders }) => loadCustomer(loaders.billing, invoice.customer),
    amountDue: (invoice) => money(invoice.amount_due, invoice.currency),
    amountPaid: (invoice) => money(invoice.amount_paid, invoice.currency),
    amountRemaining: (invoice) => money(invoice.amount_remaining, invoice.currency),
    subtotal: (invoice) => money(invoice.subtotal, invoice.currency),
    total: (invoice) => money(invoice.total, invoice.currency),
    dueDate: (invoice) => fromUnixOrNull(invoice.due_date),
    createdAt: (invoice) => fromUnix(invoice.created),
    periodStart: (invoice) => fromUnix(invoice.period_start),
    periodEnd: (invoice) => fromUnix(invoice.period_end),
    hostedInvoiceUrl: (invoice) => invoice.hosted_invoice_url,
    lines: (invoice) => invoice.lines.data,
    hasMoreLines: (invoice) => invoice.lines.has_more,
    subscription: (invoice, _, { loaders }) => (invoice.subscription ? loaders.billing.subscription.load(invoice.subscription) : null),
  },

  InvoiceLineItem: {
    amount: (line) => money(line.amount, line.currency),
    period: (line) => ({ start: fromUnix(line.period.start), end: fromUnix(line.period.end) }),
    priceId: (line) => line.price,
  },

  BillingSubscription: {
    status: (subscription) => subscriptionStatus.fromRaw(subscription.status),
    statusRaw: (subscription) => subscription.status,
    customer: (subscription, _, { loaders }) => loadCustomer(loaders.billing, subscription.customer),
    items: (subscription) => subscription.items.data,
    currentPeriodStart: (subscription) => fromUnix(subscription.current_period_start),
    currentPeriodEnd: (subscription) => fromUnix(subscription.current_period_end),
    cancelAtPeriodEnd: (subscription) => subscription.cancel_at_period_end,
    canceledAt: (subscription) => fromUnixOrNull(subscription.canceled_at),
    latestInvoice: (subscription, _, { loaders }) =>
      subscription.latest_invoice ? loaders.billing.invoice.load(subscription.latest_invoice) : null,
    createdAt: (subscription) => fromUnix(subscription.created),
  },

  SubscriptionItem: {
    priceId: (item) => item.price.id,
    unitAmount: (item) => (item.price.unit_amount === null ? null : money(item.price.unit_amount, item.price.currency)),
    interval: (item) => item.price.recurring?.interval ?? null,
  },

  Charge: {
    amount: (charge) => money(charge.amount, charge.currency),
    amountRefunded: (charge) => money(charge.amount_refunded, charge.currency),
    status: (charge) => chargeStatus.fromRaw(charge.status),
    statusRaw: (charge) => charge.status,
    customer: (charge, _, { loaders }) => loadCustomer(loaders.billing, charge.customer),
    invoice: (charge, _, { loaders }) => (charge.invoice ? loaders.billing.invoice.load(charge.invoice) : null),
    paymentIntentId: (charge) => charge.payment_intent,
    failureMessage: (charge) => charge.failure_message,
    receiptUrl: (charge) => charge.receipt_url,
    createdAt: (charge) => fromUnix(charge.created),
  },
};
