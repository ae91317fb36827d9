/**
 * The three vendors' webhook signatures, as UPSTREAMS.md states them. The sandbox signs
 * with these and the gateway's receivers verify with their own code (src/webhooks/verify.ts),
 * so a mistake on one side shows up as a failing test, not as two matching bugs.
 */
import { createHmac } from 'node:crypto';

/** HubSpot v3: base64 HMAC-SHA256 of method + URI + body + timestamp (ms). */
export function hubspotV3Signature(secret: string, method: string, uri: string, body: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${method}${uri}${body}${timestampMs}`, 'utf8').digest('base64');
}

/** Stripe: `t=<s>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function stripeSignatureHeader(secret: string, body: string, timestampSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

/** Slack: `v0=<hex HMAC-SHA256 of "v0:ts:body">`. */
export function slackSignature(secret: string, body: string, timestampSeconds: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`, 'utf8').digest('hex')}`;
}
