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
  /** A read sent as POST (HubSpot's batch reads and searches): it applies nothing, whatever happens to its connection. */
  read?: boolean;
  signal?: AbortSignal;
  /**
   * Observes each attempt of this one request (the per-request cost trace). The shared
   * client's `onResponse` sees every request's attempts; this sees only this request's.
   */
  onAttempt?: (event: UpstreamAttemptEvent) => void;
}

/** One attempt's outcome, for metrics, traces and tests. `status` is 'error' when no HTTP response arrived. */
export interface UpstreamAttemptEvent {
  system: SystemName;
  route: string;
  method: UpstreamRequest['method'];
  status: number | 'error';
  durationMs: number;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
  /** True for attempts after the first. */
  retried: boolean;
  /** True when this caller joined an identical read already in flight (no call of its own). */
  coalesced?: boolean;
  /** The error code the attempt ended with, if it failed. */
  errorCode?: string;
  /** The GraphQL request that caused the call (its `x-request-id`). */
  requestId?: string;
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
   * with a safe message; returns null when the response is a success. `request` tells a
   * write (whose parameters are the caller's own input) from a read.
   */
  classify(response: UpstreamResponse, request?: Pick<UpstreamRequest, 'method'>): GatewayError | null;
  /** How long to wait before retrying a 429/503, from the vendor's headers/body; undefined = use backoff. */
  retryAfterMs?(response: UpstreamResponse): number | undefined;
  /** The vendor's own verdict on retrying a failed response (Stripe-Should-Retry); undefined: decide by status and method. */
  shouldRetry?(response: UpstreamResponse): boolean | undefined;
  /** The API version the connector was written for, and how a 2xx answer says which one it speaks (see version.ts). */
  apiVersion?: ApiVersionContract;
}

/**
 * A vendor that renders answers per API version (Stripe's `Stripe-Version`): fields move
 * between versions, so an answer in another version would parse with those fields absent.
 */
export interface ApiVersionContract {
  expected: string;
  /** The version the answer was rendered in; undefined when it does not say (a proxy may strip headers). */
  received(response: UpstreamResponse): string | undefined;
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
