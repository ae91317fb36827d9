/**
 * The contract between connectors and the shared upstream HTTP layer. A connector builds
 * requests in its vendor's wire format and receives parsed bodies; pooling, deadlines,
 * retries, the breaker, auth headers, request IDs and status-to-error mapping happen once,
 * in the client that implements `UpstreamClient`.
 */
import type { GatewayError, SystemName } from '../errors.ts';

export type { SystemName };

export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[];

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path below the system's base URL, starting with `/`, already URL-escaped. */
  path: string;
  /** Query parameters; arrays repeat the key (`properties=a&properties=b`). */
  query?: Record<string, QueryValue>;
  /** JSON body, or an already-encoded form body (Stripe, Slack reads). */
  body?: { json: unknown } | { form: string };
  headers?: Record<string, string>;
  /** Stable route template for logs and metrics, e.g. `POST /crm/v3/objects/{type}/batch/read`. */
  route: string;
  /**
   * True when sending the request twice cannot do harm: reads, and writes that carry an
   * idempotency key. Only such requests are retried after a failure or a timeout.
   */
  idempotent: boolean;
  signal?: AbortSignal;
}

export interface UpstreamResponse<T = unknown> {
  status: number;
  headers: Record<string, string | undefined>;
  /** Parsed JSON body (`null` for an empty body). */
  body: T;
}

/**
 * Vendor-specific knowledge the shared layer needs, supplied by each connector module.
 */
export interface VendorProfile {
  system: SystemName;
  /** Headers that carry the credential (e.g. `{ authorization: 'Bearer …' }`). */
  authHeaders(credential: string): Record<string, string>;
  /** Extra headers every request carries (e.g. Stripe-Version). */
  defaultHeaders?: Record<string, string>;
  /**
   * Turns a non-2xx response (or, for Slack, a 200 with `ok:false`) into a GatewayError
   * with a safe message; returns null when the response is a success.
   */
  classify(response: UpstreamResponse): GatewayError | null;
  /** How long to wait before retrying a 429/503, from the vendor's headers/body; undefined = use backoff. */
  retryAfterMs?(response: UpstreamResponse): number | undefined;
}

export interface UpstreamClient {
  readonly system: SystemName;
  /**
   * Sends one request. Resolves with the response on success; rejects with a GatewayError
   * (UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, RATE_LIMITED, NOT_FOUND, BAD_USER_INPUT, …)
   * classified by the vendor profile, with `service` set.
   */
  request<T = unknown>(request: UpstreamRequest): Promise<UpstreamResponse<T>>;
}
