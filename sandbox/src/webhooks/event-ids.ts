/**
 * Event ids that stay unique across restarts and resets of the sandbox, as the vendors'
 * are across the life of an account. Records are seeded deterministically, but an event
 * id that restarted at the same value would collide with one a gateway already saw (and
 * de-duplicated, with Redis, for days) before the restart: its new change would be dropped.
 */
import { randomBytes, randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * HubSpot's `eventId` is a number that counts up: start the counter from the clock (in
 * thousandths of a millisecond, plus noise), so a later start never reissues an id an
 * earlier run used unless that run averaged over a thousand events per millisecond.
 * Stays below 2^53 until the year 2255.
 */
export function firstHubSpotEventId(now = Date.now()): number {
  return now * 1000 + randomInt(1000);
}

/** Slack's `event_id` (`Ev` + upper-case alphanumerics): a per-start prefix from the clock and chance, then a counter. */
export function slackEventIdPrefix(now = Date.now()): string {
  return `${now.toString(36)}${randomInt(36 * 36)
    .toString(36)
    .padStart(2, '0')}`.toUpperCase();
}

export function slackEventId(prefix: string, seq: number): string {
  return `Ev${prefix}${seq.toString(36).toUpperCase().padStart(4, '0')}`;
}

/** A Stripe event id (`evt_1` + 23 base62 characters) drawn from crypto randomness, not from the world's seed. */
export function stripeEventId(): string {
  const bytes = randomBytes(23);
  let body = '';
  for (const byte of bytes) body += BASE62[byte % 62];
  return `evt_1${body}`;
}
