/**
 * `POST /webhooks/hubspot|stripe|slack`: a Yoga plugin that answers these paths itself
 * (onRequest, before any GraphQL handling and before auth, since vendors authenticate by
 * signature) with access to the raw body the signatures cover.
 *
 * Order: size limit → signature (401) → JSON shape (400) → publish through the change feed
 * (which deduplicates by event id, invalidates, fans out) → 200. HubSpot and Stripe are
 * answered after the (millisecond) invalidation, so a failure gets a 500 and the vendor
 * retries; Slack is answered first and processed after, because Slack retries anything not
 * acknowledged within 3 s even while the first attempt is still running.
 */
import type { Plugin } from 'graphql-yoga';
import type { ChangeEvent, ChangeFeed } from '../changes/types.ts';
import type { SystemName } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { CursorStore } from './cursor.ts';
import { hubspotChanges, hubspotPayload, slackChange, slackEnvelope, stripeChange, stripeEvent } from './map.ts';
import { verifyHubSpot, verifySlack, verifyStripe } from './verify.ts';

/** Vendors send small bodies (HubSpot: ≤100 events per request); anything larger is refused unread. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookReceiverOptions {
  secrets: { hubspot?: string; stripe?: string; slack?: string };
  /** Base URL the vendors call, when the gateway sits behind a proxy (HubSpot signs the full URL). */
  publicUrl?: string;
  changes: ChangeFeed;
  cursor?: CursorStore;
  logger: Logger;
}

type Vendor = 'hubspot' | 'stripe' | 'slack';
const SYSTEM_OF: Record<Vendor, SystemName> = { hubspot: 'crm', stripe: 'billing', slack: 'chat' };

interface Outcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Changes to publish; `ackFirst` publishes them after answering. */
  changes?: ChangeEvent[];
  ackFirst?: boolean;
}

const reject = (status: 400 | 401 | 405 | 413, code: string, message: string): Outcome => ({ status, body: { error: { code, message } } });

export function useWebhookReceivers(options: WebhookReceiverOptions): Plugin {
  const { logger } = options;

  async function apply(vendor: Vendor, changes: ChangeEvent[]): Promise<void> {
    for (const change of changes) await options.changes.publish(change);
    const latest = Math.max(0, ...changes.map((c) => c.occurredAt));
    if (latest > 0) await options.cursor?.advance(SYSTEM_OF[vendor], latest);
  }

  function handle(vendor: Vendor, request: Request, url: URL, body: string): Outcome {
    const secret = options.secrets[vendor];
    // An unconfigured secret means nothing can be authentic: never apply unsigned data.
    if (!secret) return reject(401, 'UNAUTHENTICATED', `no ${vendor} webhook secret is configured`);
    const h = (name: string) => request.headers.get(name);
    let problem: string | null;
    if (vendor === 'hubspot') {
      const uri = options.publicUrl ? `${options.publicUrl}${url.pathname}${url.search}` : url.toString();
      problem = verifyHubSpot(secret, {
        method: request.method,
        uri,
        body,
        signature: h('x-hubspot-signature-v3'),
        timestamp: h('x-hubspot-request-timestamp'),
      });
    } else if (vendor === 'stripe') {
      problem = verifyStripe(secret, h('stripe-signature'), body);
    } else {
      problem = verifySlack(secret, h('x-slack-signature'), h('x-slack-request-timestamp'), body);
    }
    if (problem) {
      logger.warn({ vendor, reason: problem }, 'webhook rejected: signature');
      return reject(401, 'UNAUTHENTICATED', 'invalid or stale webhook signature');
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return reject(400, 'BAD_USER_INPUT', 'the body is not JSON');
    }
    if (vendor === 'hubspot') {
      const parsed = hubspotPayload.safeParse(json);
      if (!parsed.success) return reject(400, 'BAD_USER_INPUT', 'expected a JSON array of HubSpot webhook events');
      return { status: 200, body: { ok: true }, changes: hubspotChanges(parsed.data) };
    }
    if (vendor === 'stripe') {
      const parsed = stripeEvent.safeParse(json);
      if (!parsed.success) return reject(400, 'BAD_USER_INPUT', 'expected a Stripe Event object');
      const change = stripeChange(parsed.data);
      return { status: 200, body: { received: true }, changes: change ? [change] : [] };
    }
    const parsed = slackEnvelope.safeParse(json);
    if (!parsed.success) return reject(400, 'BAD_USER_INPUT', 'expected a Slack Events API envelope');
    const envelope = parsed.data;
    if (envelope.type === 'url_verification') return { status: 200, body: { challenge: envelope.challenge } };
    if (envelope.type !== 'event_callback') return { status: 200, body: { ok: true } };
    const change = slackChange(envelope);
    return { status: 200, body: { ok: true }, changes: change ? [change] : [], ackFirst: true };
  }

  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const match = /^\/webhooks\/(hubspot|stripe|slack)\/?$/.exec(url.pathname);
      if (!match) return;
      const vendor = match[1] as Vendor;
      const respond = (outcome: Pick<Outcome, 'status' | 'body' | 'headers'>) =>
        endResponse(
          new fetchAPI.Response(JSON.stringify(outcome.body), {
            status: outcome.status,
            headers: { 'content-type': 'application/json', ...outcome.headers },
          }),
        );
      if (request.method !== 'POST')
        return respond({ ...reject(405, 'BAD_USER_INPUT', 'webhooks are delivered with POST'), headers: { allow: 'POST' } });
      const length = Number(request.headers.get('content-length') ?? 0);
      if (length > MAX_BODY_BYTES) return respond(reject(413, 'BAD_USER_INPUT', 'the body is too large'));
      const raw = await request.arrayBuffer();
      if (raw.byteLength > MAX_BODY_BYTES) return respond(reject(413, 'BAD_USER_INPUT', 'the body is too large'));
      const body = new TextDecoder('utf-8').decode(raw);
      const outcome = handle(vendor, request, url, body);
      if (!outcome.changes || outcome.changes.length === 0) return respond(outcome);
      const changes = outcome.changes;
      if (outcome.ackFirst) {
        apply(vendor, changes).catch((error: unknown) => logger.error({ err: error, vendor }, 'webhook could not be applied'));
        return respond(outcome);
      }
      try {
        await apply(vendor, changes);
      } catch (error) {
        logger.error({ err: error, vendor }, 'webhook could not be applied; the vendor will retry');
        return respond({ status: 500, body: { error: { code: 'INTERNAL_SERVER_ERROR', message: 'not applied; retry' } } });
      }
      return respond(outcome);
    },
  };
}
