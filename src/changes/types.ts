/**
 * A change to a record in a system of record, whoever made it: a mutation through the
 * gateway, a vendor webhook, or the catch-up that reads a vendor's change feed after
 * downtime. Every change goes through one `ChangeFeed`, which invalidates the cached
 * entries it affects and then tells subscribers, so all three paths keep the cache true
 * and reach clients the same way.
 */
import type { SystemName } from '../errors.ts';

export type ChangeSource = 'gateway' | 'webhook' | 'catch-up';
export type ChangeAction = 'created' | 'updated' | 'deleted' | 'linked' | 'unlinked';

export interface ChangeEvent {
  /**
   * Unique per change, for deduplication: the vendor's event id where there is one
   * (`evt_…`, HubSpot `eventId`, Slack `event_id`), else one the gateway makes.
   */
  eventId: string;
  system: SystemName;
  /** contact | company | deal | owner | customer | invoice | subscription | charge | user | channel | message */
  entity: string;
  /** Vendor id of the changed record (for a Slack message: `<channel>:<ts>`). */
  id: string;
  action: ChangeAction;
  /**
   * Ids of other records whose cached links this change affects: e.g. a customer's
   * `contactId` and `email`, an invoice's `customerId`, a deal's `companyIds`/`contactIds`.
   */
  related?: Record<string, string | readonly string[] | undefined>;
  /** The record as the system of record now holds it, when the source carried it. */
  record?: unknown;
  /** Field values before the change, when known (Stripe `previous_attributes`, HubSpot property change). */
  previous?: Record<string, unknown>;
  /** Epoch ms. */
  occurredAt: number;
  source: ChangeSource;
}

export interface ChangeFeed {
  /**
   * Invalidates every cache entry the change affects, then delivers it to subscribers —
   * at most once per `eventId`. Resolves after the invalidation, so a write that awaited
   * it can never be read back stale.
   */
  publish(event: ChangeEvent): Promise<void>;
  /** Delivers changes published from now on (on this replica or, with Redis, any replica). */
  subscribe(signal?: AbortSignal): AsyncIterable<ChangeEvent>;
  /** Resolves once changes from other replicas are being received (at once without Redis). */
  ready?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A change as a write describes it: the feed's event without what publishing adds (its id,
 * time and source). Domain commands return these; the write path publishes them.
 */
export type ChangeSpec = Omit<ChangeEvent, 'eventId' | 'occurredAt' | 'source'>;

/**
 * What a system's invalidation learnt that a cross-system link needs (src/links): e.g. the
 * emails a billing customer had and has, by name. Ids only, never records.
 */
export type ChangeNotes = Readonly<Record<string, readonly string[]>>;
