/**
 * Typed client for the Stripe endpoints the gateway reads (API version 2023-08-16, pinned
 * by the profile). One short method per endpoint; knows nothing about GraphQL.
 *
 * | method                 | endpoint                          | batch capability                          |
 * |------------------------|-----------------------------------|-------------------------------------------|
 * | retrieveCustomer       | GET /v1/customers/{id}            | one id per request (no multi-id GET)      |
 * | listCustomers          | GET /v1/customers                 | limit ≤ 100, `email=` (case-sensitive)    |
 * | searchCustomers        | GET /v1/customers/search          | ≤ 10 OR-ed clauses, limit ≤ 100, lagging  |
 * | retrieveInvoice        | GET /v1/invoices/{id}             | one id per request                        |
 * | listInvoices           | GET /v1/invoices                  | limit ≤ 100, `customer` `status` `created`|
 * | searchInvoices         | GET /v1/invoices/search           | ≤ 10 OR-ed clauses, limit ≤ 100, lagging  |
 * | retrieveSubscription   | GET /v1/subscriptions/{id}        | one id per request                        |
 * | listSubscriptions      | GET /v1/subscriptions             | limit ≤ 100, `customer` `status` (`all`)  |
 * | retrieveCharge         | GET /v1/charges/{id}              | one id per request                        |
 * | retrievePrice          | GET /v1/prices/{id}               | one id per request                        |
 * | listCharges            | GET /v1/charges                   | limit ≤ 100, `customer`                   |
 * | searchCharges          | GET /v1/charges/search            | ≤ 10 OR-ed clauses, limit ≤ 100, lagging  |
 *
 * Search is not read-after-write (Stripe indexes writes within about a minute), so it
 * serves link lookups of existing data only; anything that must see a fresh write reads
 * by id or through a list.
 *
 * `retrieve*` answer null for a missing or deleted object instead of throwing NOT_FOUND:
 * for a batch loader "does not exist" is an answer, not a failure.
 */
import { z } from 'zod';
import type { UpstreamClient } from '../../upstream/types.ts';
import {
  chargeSchema,
  customerSchema,
  invoiceSchema,
  listSchema,
  parseStripe,
  priceSchema,
  subscriptionSchema,
  type StripeList,
  type StripeSearchResult,
} from './schemas.ts';
import {
  STRIPE_MAX_LIMIT,
  type BillingConnector,
  type BillingConnectorOptions,
  type ListParams,
  type SearchParams,
} from './connector-types.ts';
import { listQuery, stripeRequests, type StripeRequests } from './requests.ts';
import type { FormParams } from './wire.ts';

export * from './connector-types.ts';

type ConnectorPart<K extends keyof BillingConnector> = Pick<BillingConnector, K>;
type CustomerMethods = 'retrieveCustomer' | 'listCustomers' | 'searchCustomers' | 'createCustomer' | 'updateCustomer' | 'deleteCustomer';
type InvoiceMethods =
  | 'retrieveInvoice'
  | 'listInvoices'
  | 'searchInvoices'
  | 'createInvoice'
  | 'createInvoiceItem'
  | 'finalizeInvoice'
  | 'payInvoice'
  | 'voidInvoice'
  | 'deleteInvoice';
type SubscriptionMethods = 'retrieveSubscription' | 'listSubscriptions' | 'createSubscription' | 'cancelSubscription';

export function createBillingConnector(http: UpstreamClient, options: BillingConnectorOptions = {}): BillingConnector {
  const requests = stripeRequests(http, options);
  return {
    ...customers(requests),
    ...invoices(requests),
    ...subscriptions(requests),
    ...charges(requests),
    ...prices(requests),
    withRequestId: (requestId) => createBillingConnector(http, { ...options, requestId }),
  };
}

/** Customers: by id, the list (exact email), search; create, update, delete. */
function customers({ get, retrieve, search, post, remove }: StripeRequests): ConnectorPart<CustomerMethods> {
  return {
    retrieveCustomer: (id) => retrieve('customers', id, customerSchema, 'customer'),
    listCustomers: listOf(get, 'customers', customerSchema, 'customer', (params) => ({ email: params.email })),
    searchCustomers: search('customers', customerSchema, 'customer'),

    createCustomer: (params, key) => post('/v1/customers', 'POST /v1/customers', params, key, customerSchema, 'customer'),
    updateCustomer: (id, params, key) =>
      post(`/v1/customers/${encodeURIComponent(id)}`, 'POST /v1/customers/{id}', params, key, customerSchema, 'customer'),
    deleteCustomer: deleteById(remove, 'customers'),
  };
}

/** Invoices: by id, the list, search; a draft's life (create, items, finalize, pay, void, delete). */
function invoices({ get, retrieve, search, post, remove }: StripeRequests): ConnectorPart<InvoiceMethods> {
  return {
    retrieveInvoice: (id) => retrieve('invoices', id, invoiceSchema, 'invoice'),
    listInvoices: listOf(get, 'invoices', invoiceSchema, 'invoice', (params) => ({
      customer: params.customer,
      status: params.status,
      created: params.created ? { ...params.created } : undefined,
      due_date: params.dueDate ? { ...params.dueDate } : undefined,
    })),
    searchInvoices: search('invoices', invoiceSchema, 'invoice'),

    createInvoice: (params, key) => post('/v1/invoices', 'POST /v1/invoices', params, key, invoiceSchema, 'invoice'),
    createInvoiceItem: (params, key) => post('/v1/invoiceitems', 'POST /v1/invoiceitems', params, key, createdObjectSchema, 'invoice item'),
    finalizeInvoice: (id, key) =>
      post(
        `/v1/invoices/${encodeURIComponent(id)}/finalize`,
        'POST /v1/invoices/{id}/finalize',
        { auto_advance: false },
        key,
        invoiceSchema,
        'invoice',
      ),
    payInvoice: (id, params, key) =>
      post(`/v1/invoices/${encodeURIComponent(id)}/pay`, 'POST /v1/invoices/{id}/pay', params, key, invoiceSchema, 'invoice'),
    voidInvoice: (id, key) =>
      post(`/v1/invoices/${encodeURIComponent(id)}/void`, 'POST /v1/invoices/{id}/void', {}, key, invoiceSchema, 'invoice'),
    deleteInvoice: deleteById(remove, 'invoices'),
  };
}

/** Subscriptions: by id, the list; create, cancel. */
function subscriptions({ get, retrieve, post, remove }: StripeRequests): ConnectorPart<SubscriptionMethods> {
  return {
    retrieveSubscription: (id) => retrieve('subscriptions', id, subscriptionSchema, 'subscription'),
    listSubscriptions: listOf(get, 'subscriptions', subscriptionSchema, 'subscription', (params) => ({
      customer: params.customer,
      status: params.status,
    })),

    createSubscription: (params, key) =>
      post('/v1/subscriptions', 'POST /v1/subscriptions', params, key, subscriptionSchema, 'subscription'),
    cancelSubscription: async (id) =>
      parseStripe(
        subscriptionSchema,
        await remove(`/v1/subscriptions/${encodeURIComponent(id)}`, 'DELETE /v1/subscriptions/{id}'),
        'subscription',
      ),
  };
}

/** Charges: by id, the list, search (read only). */
function charges({ get, retrieve, search }: StripeRequests): ConnectorPart<'retrieveCharge' | 'listCharges' | 'searchCharges'> {
  return {
    retrieveCharge: (id) => retrieve('charges', id, chargeSchema, 'charge'),
    listCharges: listOf(get, 'charges', chargeSchema, 'charge', (params) => ({ customer: params.customer })),
    searchCharges: search('charges', chargeSchema, 'charge'),
  };
}

/** Prices: one by id, to check a reference before a write (a missing one throws NOT_FOUND). */
function prices({ get }: StripeRequests): ConnectorPart<'retrievePrice'> {
  return {
    retrievePrice: (id) => get(`/v1/prices/${encodeURIComponent(id)}`, 'GET /v1/prices/{id}', {}, priceSchema, 'price'),
  };
}

/** A create whose caller needs only the new id validates just that (the vendor contract lists it too). */
export const createdObjectSchema = z.object({ id: z.string() });

/** GET /v1/<collection>: the page (`limit`, `starting_after`), then the list's own filters. */
function listOf<P extends ListParams, T extends z.ZodType>(
  get: StripeRequests['get'],
  collection: string,
  item: T,
  resource: string,
  filters: (params: P) => FormParams,
) {
  return (params: P) =>
    get(`/v1/${collection}`, `GET /v1/${collection}`, { ...listQuery(params), ...filters(params) }, listSchema(item), `${resource} list`);
}

/** DELETE /v1/<collection>/{id} for a caller that needs nothing of Stripe's `deleted` stub. */
function deleteById(remove: StripeRequests['remove'], collection: string) {
  return async (id: string): Promise<void> => {
    await remove(`/v1/${collection}/${encodeURIComponent(id)}`, `DELETE /v1/${collection}/{id}`);
  };
}

/**
 * Follows a search's `next_page` cursor to the end. Link lookups need every match (an
 * invoice list cut at 100 would silently drop invoices), and each page is one request.
 */
export async function searchAll<T>(page: (params: SearchParams) => Promise<StripeSearchResult<T>>): Promise<T[]> {
  const all: T[] = [];
  let next: string | undefined;
  do {
    const result = await page({ limit: STRIPE_MAX_LIMIT, page: next });
    all.push(...result.data);
    next = result.has_more && result.next_page ? result.next_page : undefined;
  } while (next);
  return all;
}

/** Follows a list's `starting_after` to the end. */
export async function listAll<T extends { id: string }>(page: (params: ListParams) => Promise<StripeList<T>>): Promise<T[]> {
  const all: T[] = [];
  let after: string | undefined;
  for (;;) {
    const result = await page({ limit: STRIPE_MAX_LIMIT, startingAfter: after });
    all.push(...result.data);
    const last = result.data.at(-1);
    if (!result.has_more || !last) return all;
    after = last.id;
  }
}
