/**
 * Webhook deliveries per vendor as this replica received them: when the last arrived, how far
 * behind the vendor's own event time it was, and how many were accepted, duplicates (every
 * event id already seen here: the vendor retried, or sent it twice) or rejected — a bad or
 * stale signature (the receiver answered 401), or a body it could not read (400).
 */
import type { SystemName } from '../errors.ts';

/** Event ids remembered per vendor for the duplicate count; older ones are forgotten first. */
const SEEN_IDS = 10_000;

export type Rejection = 'signature' | 'stale' | 'malformed';

/** What the receiver tells the health model about one delivery. */
export interface WebhookDelivery {
  system: SystemName;
  vendor: string;
  /** 'accepted' when the receiver took it (200); otherwise why it refused it. */
  outcome: 'accepted' | Rejection;
  /** The delivery's event ids and the vendor's event time (epoch ms), when accepted. */
  events?: readonly { eventId: string; occurredAt: number }[];
  /** The receiver's reason for a rejection (no payload text). */
  reason?: string;
}

export interface WebhookHealth {
  system: SystemName;
  vendor: string;
  lastReceivedAt: Date | null;
  /** Receipt time minus the vendor's event time of the newest event, for the last accepted delivery. */
  lagMs: number | null;
  accepted: number;
  duplicate: number;
  rejected: number;
  rejectedSignature: number;
  rejectedStale: number;
  rejectedMalformed: number;
  lastRejection: string | null;
}

interface Tally extends WebhookHealth {
  seen: Set<string>;
}

/** How the tally counted one delivery, and its lag when it carried an event time. */
export interface WebhookVerdict {
  outcome: 'accepted' | 'duplicate' | 'rejected' | 'unknown-vendor';
  lagMs?: number;
}

export interface WebhookTally {
  observe(delivery: WebhookDelivery, now: number): WebhookVerdict;
  list(): WebhookHealth[];
}

export function createWebhookTally(vendors: readonly { system: SystemName; vendor: string }[]): WebhookTally {
  const tallies = new Map<string, Tally>(
    vendors.map(({ system, vendor }) => [
      vendor,
      {
        system,
        vendor,
        lastReceivedAt: null,
        lagMs: null,
        accepted: 0,
        duplicate: 0,
        rejected: 0,
        rejectedSignature: 0,
        rejectedStale: 0,
        rejectedMalformed: 0,
        lastRejection: null,
        seen: new Set(),
      },
    ]),
  );
  return {
    observe(delivery, now) {
      const tally = tallies.get(delivery.vendor);
      if (!tally) return { outcome: 'unknown-vendor' };
      tally.lastReceivedAt = new Date(now);
      if (delivery.outcome !== 'accepted') {
        tally.rejected++;
        if (delivery.outcome === 'signature') tally.rejectedSignature++;
        else if (delivery.outcome === 'stale') tally.rejectedStale++;
        else tally.rejectedMalformed++;
        tally.lastRejection = delivery.reason ?? delivery.outcome;
        return { outcome: 'rejected' };
      }
      const events = delivery.events ?? [];
      const fresh = events.filter((event) => !tally.seen.has(event.eventId));
      const duplicate = events.length > 0 && fresh.length === 0;
      if (duplicate) tally.duplicate++;
      else tally.accepted++;
      for (const { eventId } of fresh) {
        tally.seen.add(eventId);
        // A Set iterates in insertion order: its first entry is the oldest.
        if (tally.seen.size > SEEN_IDS) tally.seen.delete(tally.seen.values().next().value as string);
      }
      const newest = Math.max(0, ...events.map((event) => event.occurredAt));
      if (newest > 0) tally.lagMs = Math.max(0, now - newest);
      return { outcome: duplicate ? 'duplicate' : 'accepted', lagMs: newest > 0 ? Math.max(0, now - newest) : undefined };
    },
    list: () => [...tallies.values()].map(({ seen: _seen, ...health }) => health),
  };
}
