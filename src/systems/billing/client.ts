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
import { isGatewayError } from '../../errors.ts';
import type { UpstreamClient, UpstreamRequest } from '../../upstream/types.ts';
import { z as zod, type z } from 'zod';
import {
  chargeSchema,
  customerSchema,
  deletedObjectSchema,
  invoiceSchema,
  listSchema,
  parseStripe,
  priceSchema,
  searchResultSchema,
  subscriptionSchema,
  type StripeCharge,
  type StripeCustomer,
  type StripeInvoice,
  type StripeInvoiceStatus,
  type StripeList,
  type StripePrice,
  type StripeSearchResult,
  type StripeSubscription,
  type StripeSubscriptionStatus,
} from './schemas.ts';
import { encodeForm, formQuery, type FormParams } from './wire.ts';

/** Stripe's page-size ceiling for lists and searches. */
export const STRIPE_MAX_LIMIT = 100;

export interface BillingConnectorOptions {
  /** Sent as `x-request-id` on every request, so upstream calls join the gateway's logs. */
  requestId?: string;
  /** Cancels in-flight requests (the caller's deadline). */
  signal?: AbortSignal;
}

export interface ListParams {
  limit?: number;
  /** Object id after which the page starts (Stripe's `starting_after`). */
  startingAfter?: string;
}

export interface ListCustomersParams extends ListParams {
  /** Exact, case-sensitive match (Stripe's list filter). */
  email?: string;
}

export interface CreatedRange {
  gte?: number;
  lte?: number;
}

export interface ListInvoicesParams extends ListParams {
  customer?: string;
  status?: StripeInvoiceStatus;
  /** Unix seconds. */
  created?: CreatedRange;
}

export interface ListSubscriptionsParams extends ListParams {
  customer?: string;
  /** `all` includes canceled subscriptions, which Stripe's default leaves out. */
  status?: StripeSubscriptionStatus | 'all';
}

export interface ListChargesParams extends ListParams {
  customer?: string;
}

export interface SearchParams {
  limit?: number;
  /** The previous result's `next_page`. */
  page?: string;
}

export interface BillingConnector {
  retrieveCustomer(id: string): Promise<StripeCustomer | null>;
  listCustomers(params: ListCustomersParams): Promise<StripeList<StripeCustomer>>;
  searchCustomers(query: string, params?: SearchParams): Promise<StripeSearchResult<StripeCustomer>>;
  retrieveInvoice(id: string): Promise<StripeInvoice | null>;
  listInvoices(params: ListInvoicesParams): Promise<StripeList<StripeInvoice>>;
  searchInvoices(query: string, params?: SearchParams): Promise<StripeSearchResult<StripeInvoice>>;
  retrieveSubscription(id: string): Promise<StripeSubscription | null>;
  listSubscriptions(params: ListSubscriptionsParams): Promise<StripeList<StripeSubscription>>;
  retrieveCharge(id: string): Promise<StripeCharge | null>;
  listCharges(params: ListChargesParams): Promise<StripeList<StripeCharge>>;
  searchCharges(query: string, params?: SearchParams): Promise<StripeSearchResult<StripeCharge>>;
  /**
   * A price, read only to check a reference before a write: unlike the other `retrieve*` it
   * throws NOT_FOUND, carrying Stripe's "No such price: '…'", for a missing one.
   */
  retrievePrice(id: string): Promise<StripePrice>;
  /** The same connector, tagging its requests with this request id (one per GraphQL request). */
  withRequestId(requestId: string): BillingConnector;

  // --- writes -------------------------------------------------------------------------------
  // Each POST takes an optional Stripe `Idempotency-Key`. With a key, Stripe answers a
  // repeat with the first response, so the shared layer may retry it after a timeout;
  // without one, a write is sent once and never retried.
  createCustomer(params: FormParams, idempotencyKey?: string): Promise<StripeCustomer>;
  updateCustomer(id: string, params: FormParams, idempotencyKey?: string): Promise<StripeCustomer>;
  /** DELETE /v1/customers/{id}: permanent (cancels the customer's subscriptions). */
  deleteCustomer(id: string): Promise<void>;
  createInvoice(params: FormParams, idempotencyKey?: string): Promise<StripeInvoice>;
  /** POST /v1/invoiceitems: a line on a draft invoice (`invoice`) or pending for the customer. */
  createInvoiceItem(params: FormParams, idempotencyKey?: string): Promise<{ id: string }>;
  finalizeInvoice(id: string, idempotencyKey?: string): Promise<StripeInvoice>;
  payInvoice(id: string, params: FormParams, idempotencyKey?: string): Promise<StripeInvoice>;
  voidInvoice(id: string, idempotencyKey?: string): Promise<StripeInvoice>;
  /** DELETE /v1/invoices/{id}: drafts only. */
  deleteInvoice(id: string): Promise<void>;
  createSubscription(params: FormParams, idempotencyKey?: string): Promise<StripeSubscription>;
  /** DELETE /v1/subscriptions/{id}: cancels at once. */
  cancelSubscription(id: string): Promise<StripeSubscription>;
}

/** Stripe object IDs are word characters (`cus_NffrFeUfNV2Hib`); `search` is a route of every searchable collection. */
function isStripeObjectId(id: string): boolean {
  return /^\w+$/.test(id) && id !== 'search';
}

export function createBillingConnector(http: UpstreamClient, options: BillingConnectorOptions = {}): BillingConnector {
  const headers = options.requestId ? { 'x-request-id': options.requestId } : undefined;

  async function get<T extends z.ZodType>(
    path: string,
    route: string,
    params: FormParams,
    schema: T,
    resource: string,
  ): Promise<z.output<T>> {
    const request: UpstreamRequest = {
      method: 'GET',
      path,
      route,
      query: formQuery(params),
      headers,
      idempotent: true,
      signal: options.signal,
    };
    const response = await http.request(request);
    return parseStripe(schema, response.body, resource);
  }

  async function retrieve<T extends z.ZodType>(collection: string, id: string, schema: T, resource: string): Promise<z.output<T> | null> {
    // Not an object ID: as a path segment it would name the collection itself (`''`, `.`)
    // or its search endpoint, whose answers are not the object, and no object has it.
    if (!isStripeObjectId(id)) return null;
    let body: unknown;
    try {
      const response = await http.request({
        method: 'GET',
        path: `/v1/${collection}/${encodeURIComponent(id)}`,
        route: `GET /v1/${collection}/{id}`,
        headers,
        idempotent: true,
        signal: options.signal,
      });
      body = response.body;
    } catch (error) {
      if (isGatewayError(error) && error.code === 'NOT_FOUND') return null;
      throw error;
    }
    // A deleted customer is still retrievable, as a stub.
    if (deletedObjectSchema.safeParse(body).success) return null;
    return parseStripe(schema, body, resource);
  }

  const search =
    <T extends z.ZodType>(collection: string, item: T, resource: string) =>
    (query: string, params: SearchParams = {}) =>
      get(
        `/v1/${collection}/search`,
        `GET /v1/${collection}/search`,
        { query, limit: params.limit ?? STRIPE_MAX_LIMIT, page: params.page },
        searchResultSchema(item),
        `${resource} search result`,
      );

  const list = (params: ListParams) => ({ limit: params.limit, starting_after: params.startingAfter });

  return {
    retrieveCustomer: (id) => retrieve('customers', id, customerSchema, 'customer'),
    listCustomers: (params) =>
      get('/v1/customers', 'GET /v1/customers', { ...list(params), email: params.email }, listSchema(customerSchema), 'customer list'),
    searchCustomers: search('customers', customerSchema, 'customer'),

    retrieveInvoice: (id) => retrieve('invoices', id, invoiceSchema, 'invoice'),
    listInvoices: (params) =>
      get(
        '/v1/invoices',
        'GET /v1/invoices',
        { ...list(params), customer: params.customer, status: params.status, created: params.created ? { ...params.created } : undefined },
        listSchema(invoiceSchema),
        'invoice list',
      ),
    searchInvoices: search('invoices', invoiceSchema, 'invoice'),

    retrieveSubscription: (id) => retrieve('subscriptions', id, subscriptionSchema, 'subscription'),
    listSubscriptions: (params) =>
      get(
        '/v1/subscriptions',
        'GET /v1/subscriptions',
        { ...list(params), customer: params.customer, status: params.status },
        listSchema(subscriptionSchema),
        'subscription list',
      ),

    retrieveCharge: (id) => retrieve('charges', id, chargeSchema, 'charge'),
    listCharges: (params) =>
      get('/v1/charges', 'GET /v1/charges', { ...list(params), customer: params.customer }, listSchema(chargeSchema), 'charge list'),
    searchCharges: search('charges', chargeSchema, 'charge'),

    retrievePrice: (id) => get(`/v1/prices/${encodeURIComponent(id)}`, 'GET /v1/prices/{id}', {}, priceSchema, 'price'),

    withRequestId: (requestId) => createBillingConnector(http, { ...options, requestId }),

    createCustomer: (params, key) => post('/v1/customers', 'POST /v1/customers', params, key, customerSchema, 'customer'),
    updateCustomer: (id, params, key) =>
      post(`/v1/customers/${encodeURIComponent(id)}`, 'POST /v1/customers/{id}', params, key, customerSchema, 'customer'),
    deleteCustomer: async (id) => {
      await remove(`/v1/customers/${encodeURIComponent(id)}`, 'DELETE /v1/customers/{id}');
    },
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
    deleteInvoice: async (id) => {
      await remove(`/v1/invoices/${encodeURIComponent(id)}`, 'DELETE /v1/invoices/{id}');
    },
    createSubscription: (params, key) =>
      post('/v1/subscriptions', 'POST /v1/subscriptions', params, key, subscriptionSchema, 'subscription'),
    cancelSubscription: async (id) =>
      parseStripe(
        subscriptionSchema,
        await remove(`/v1/subscriptions/${encodeURIComponent(id)}`, 'DELETE /v1/subscriptions/{id}'),
        'subscription',
      ),
  };

  async function post<T extends z.ZodType>(
    path: string,
    route: string,
    params: FormParams,
    idempotencyKey: string | undefined,
    schema: T,
    resource: string,
  ) {
    const response = await http.request({
      method: 'POST',
      path,
      route,
      body: { form: encodeForm(params) },
      headers: { ...headers, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
      idempotent: idempotencyKey !== undefined,
      signal: options.signal,
    });
    return parseStripe(schema, response.body, resource) as z.output<T>;
  }

  // A DELETE of the same object twice changes nothing the second time, so it may be retried.
  async function remove(path: string, route: string): Promise<unknown> {
    const response = await http.request({ method: 'DELETE', path, route, headers, idempotent: true, signal: options.signal });
    return response.body;
  }
}

const createdObjectSchema = zod.object({ id: zod.string() });

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
