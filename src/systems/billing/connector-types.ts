/** The Stripe billing connector's interface, its parameters and limits (the implementation: client.ts). */
import type { FormParams } from './wire.ts';
import type {
  StripeCharge,
  StripeCustomer,
  StripeInvoice,
  StripeInvoiceStatus,
  StripeList,
  StripePrice,
  StripeSearchResult,
  StripeSubscription,
  StripeSubscriptionStatus,
} from './schemas.ts';

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

/** Inclusive bounds; either may be absent. */
export interface Bounds {
  gte?: number;
  lte?: number;
}

export interface ListInvoicesParams extends ListParams {
  customer?: string;
  status?: StripeInvoiceStatus;
  /** Unix seconds. */
  created?: Bounds;
  /** Unix seconds (Stripe `due_date`). */
  dueDate?: Bounds;
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
  /** Asks for `total_count` (Stripe counts only when expanded to). */
  totalCount?: boolean;
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
