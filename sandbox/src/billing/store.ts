/**
 * The billing account's state: one table per resource, the id stream, and the Event log with
 * its in-process emitter. Every write — an API call or an admin edit — ends in `recordEvent`,
 * so Events, webhooks (later) and the search index's write history all see the same changes.
 */
import { EventEmitter } from 'node:events';
import type { Prng } from '../prng.ts';
import { IdFactory } from './ids.ts';
import type {
  ChargeRec,
  CustomerRec,
  EventRec,
  InvoiceItemRec,
  InvoiceRec,
  PaymentIntentRec,
  PriceRec,
  ProductRec,
  Row,
  SubscriptionRec,
} from './records.ts';
import { Table } from './table.ts';
import { stripeEventId } from '../webhooks/event-ids.ts';
import { API_VERSION, defaultApiVersions, eventVersion, renderInVersion, reshapes, type ApiVersions } from './versions.ts';

export { API_VERSION };
export const ACCOUNT_ID = 'acct_1SwitchboardSbx';

/** Who caused a change: the API request (`req_…` + its Idempotency-Key), or nobody (admin edits, automatic transitions). */
export interface RequestInfo {
  requestId: string | null;
  idempotencyKey: string | null;
}

export const NO_REQUEST: RequestInfo = { requestId: null, idempotencyKey: null };

/**
 * What `events` emits as `'change'` for every recorded change: the Stripe event type, the
 * object as it now is (wire JSON), the previous full object (null on create), and the Event.
 */
export interface BillingChange {
  type: string;
  object: Record<string, unknown>;
  previous: Record<string, unknown> | null;
  event: Record<string, unknown>;
}

/** Events live 30 days at Stripe; a sandbox keeps a bounded number instead. */
const MAX_EVENTS = 200_000;

export class BillingStore {
  readonly customers = new Table<CustomerRec>('customer', {}, true);
  readonly products = new Table<ProductRec>('product');
  readonly prices = new Table<PriceRec>('price');
  readonly invoices = new Table<InvoiceRec>('invoice', { customer: (r) => r.customer, subscription: (r) => r.subscription }, true);
  readonly invoiceItems = new Table<InvoiceItemRec>('invoiceitem', { customer: (r) => r.customer, invoice: (r) => r.invoice });
  readonly subscriptions = new Table<SubscriptionRec>('subscription', { customer: (r) => r.customer }, true);
  readonly charges = new Table<ChargeRec>('charge', { customer: (r) => r.customer, payment_intent: (r) => r.paymentIntent }, true);
  readonly paymentIntents = new Table<PaymentIntentRec>('payment_intent', { customer: (r) => r.customer }, true);
  readonly events = new Table<EventRec>('event', { type: (r) => r.type });
  readonly emitter = new EventEmitter();
  /** The account's API version settings (`/__sandbox/api-version`); a reset restores them. */
  versions: ApiVersions = defaultApiVersions();
  ids: IdFactory;
  /** Above every seeded row's `seq`, which column-seeded tables derive from indices. */
  private static readonly FIRST_SEQ = 1e12;
  private seqCounter = BillingStore.FIRST_SEQ;

  constructor(rng: Prng) {
    this.ids = new IdFactory(rng);
  }

  /** Restarts the id stream (a reset must give the same ids as a fresh start). */
  restart(rng: Prng): void {
    this.ids = new IdFactory(rng);
    this.seqCounter = BillingStore.FIRST_SEQ;
    this.versions = defaultApiVersions();
    for (const table of this.tables()) table.clear();
  }

  private tables(): Table<Row>[] {
    return [
      this.customers,
      this.products,
      this.prices,
      this.invoices,
      this.invoiceItems,
      this.subscriptions,
      this.charges,
      this.paymentIntents,
      this.events,
    ] as unknown as Table<Row>[];
  }

  seq(): number {
    return ++this.seqCounter;
  }

  /** Unix seconds, Stripe's unit for every timestamp. */
  now(): number {
    return Math.floor(Date.now() / 1000);
  }

  recordEvent(
    type: string,
    object: Record<string, unknown>,
    previous: Record<string, unknown> | null,
    previousAttributes: Record<string, unknown> | null,
    request: RequestInfo,
  ): EventRec {
    const id = stripeEventId();
    const created = this.now();
    const data: Record<string, unknown> = { object };
    if (previousAttributes) data.previous_attributes = previousAttributes;
    const json: Record<string, unknown> = {
      id,
      object: 'event',
      // The data stays in 2023-08-16 shapes; answers and deliveries render it in this version.
      api_version: eventVersion(this.versions),
      created,
      data,
      livemode: false,
      pending_webhooks: 0,
      request: { id: request.requestId, idempotency_key: request.idempotencyKey },
      type,
    };
    const rec: EventRec = { kind: 'event', id, created, seq: this.seq(), type, json };
    this.events.insert(rec);
    if (this.events.size > MAX_EVENTS) {
      const oldest = this.events.all().ascending().next().value;
      if (oldest) this.events.remove(oldest, oldest);
    }
    // Webhooks deliver the Event as it reads in its own version.
    const event = reshapes(json.api_version as string) ? (renderInVersion(json, API_VERSION, null) as Record<string, unknown>) : json;
    const change: BillingChange = { type, object, previous, event };
    this.emitter.emit('change', change);
    return rec;
  }
}
