/**
 * The shapes of a Stripe request, bound to one connector's request id and signal: a GET with
 * a form-encoded query, a retrieve by id (null for a missing or deleted object), a search, a
 * form POST with an optional `Idempotency-Key`, and a DELETE. The endpoints: client.ts.
 */
import { isGatewayError } from '../../errors.ts';
import type { UpstreamClient, UpstreamRequest } from '../../upstream/types.ts';
import type { z } from 'zod';
import { deletedObjectSchema, parseStripe, searchResultSchema } from './schemas.ts';
import { STRIPE_MAX_LIMIT, type BillingConnectorOptions, type ListParams, type SearchParams } from './connector-types.ts';
import { encodeForm, formQuery, type FormParams } from './wire.ts';

export type StripeRequests = ReturnType<typeof stripeRequests>;

/** Stripe object IDs are word characters (`cus_NffrFeUfNV2Hib`); `search` is a route of every searchable collection. */
function isStripeObjectId(id: string): boolean {
  return /^\w+$/.test(id) && id !== 'search';
}

/** A list's paging parameters, as Stripe spells them. */
export function listQuery(params: ListParams): FormParams {
  return { limit: params.limit, starting_after: params.startingAfter };
}

export function stripeRequests(http: UpstreamClient, options: BillingConnectorOptions) {
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
        { query, limit: params.limit ?? STRIPE_MAX_LIMIT, page: params.page, expand: params.totalCount ? ['total_count'] : undefined },
        searchResultSchema(item),
        `${resource} search result`,
      );

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

  return { get, retrieve, search, post, remove };
}
