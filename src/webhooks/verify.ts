/**
 * Signature checks for inbound webhooks, each exactly as the vendor documents it (see
 * UPSTREAMS.md): over the raw body bytes as received, with a 5-minute timestamp tolerance
 * (replays of an old delivery fail) and a constant-time comparison (no timing oracle).
 * Each returns null when the delivery is authentic, else the reason, for the log only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Every vendor's library default; never 0 (UPSTREAMS.md). */
export const TOLERANCE_MS = 5 * 60 * 1000;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // timingSafeEqual throws on different lengths; the length of a signature is public anyway.
  return x.length === y.length && timingSafeEqual(x, y);
}

const hmac = (secret: string, message: string, encoding: 'hex' | 'base64') =>
  createHmac('sha256', secret).update(message, 'utf8').digest(encoding);

export interface HubSpotSigned {
  method: string;
  /** The full URL the vendor called, query included. */
  uri: string;
  body: string;
  signature: string | null;
  timestamp: string | null;
}

/** HubSpot v3: base64(HMAC-SHA256(secret, method + uri + body + timestampMs)). */
export function verifyHubSpot(secret: string, req: HubSpotSigned, now = Date.now()): string | null {
  if (!req.signature || !req.timestamp) return 'missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp';
  if (!/^\d{1,16}$/.test(req.timestamp)) return 'malformed timestamp';
  const ts = Number(req.timestamp);
  if (Math.abs(now - ts) > TOLERANCE_MS) return 'timestamp outside the 5-minute tolerance';
  // HubSpot signs the URL with some characters decoded; try the URL as received first.
  const candidates = new Set([req.uri, decodeListed(req.uri)]);
  for (const uri of candidates)
    if (safeEqual(hmac(secret, `${req.method}${uri}${req.body}${req.timestamp}`, 'base64'), req.signature)) return null;
  return 'signature mismatch';
}

/** The escapes HubSpot's request-validation doc says to decode before hashing. */
function decodeListed(uri: string): string {
  const map: Record<string, string> = {
    '%3A': ':',
    '%2F': '/',
    '%3F': '?',
    '%40': '@',
    '%21': '!',
    '%24': '$',
    '%27': "'",
    '%28': '(',
    '%29': ')',
    '%2A': '*',
    '%2C': ',',
    '%3B': ';',
  };
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => map[m.toUpperCase()] ?? m);
}

/** Stripe: `t=…,v1=…[,v1=…]`; valid if any v1 equals hex(HMAC-SHA256(secret, t + "." + body)). */
export function verifyStripe(secret: string, header: string | null, body: string, now = Date.now()): string | null {
  if (!header) return 'missing Stripe-Signature';
  let t: string | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k === 't') t = v;
    else if (k === 'v1') v1.push(v);
  }
  if (!t || !/^\d{1,12}$/.test(t) || v1.length === 0) return 'malformed Stripe-Signature';
  if (Math.abs(now - Number(t) * 1000) > TOLERANCE_MS) return 'timestamp outside the 5-minute tolerance';
  const expected = hmac(secret, `${t}.${body}`, 'hex');
  return v1.some((sig) => safeEqual(expected, sig)) ? null : 'signature mismatch';
}

/** Slack: `v0=` + hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body)), ts in seconds. */
export function verifySlack(
  secret: string,
  signature: string | null,
  timestamp: string | null,
  body: string,
  now = Date.now(),
): string | null {
  if (!signature || !timestamp) return 'missing X-Slack-Signature or X-Slack-Request-Timestamp';
  if (!/^\d{1,12}$/.test(timestamp)) return 'malformed timestamp';
  if (Math.abs(now - Number(timestamp) * 1000) > TOLERANCE_MS) return 'timestamp outside the 5-minute tolerance';
  return safeEqual(`v0=${hmac(secret, `v0:${timestamp}:${body}`, 'hex')}`, signature) ? null : 'signature mismatch';
}
