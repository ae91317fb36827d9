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
import type { WebhookMapper } from '../systems/system.ts';
import type { Rejection, WebhookDelivery } from '../health/webhooks.ts';

/** Vendors send small bodies (HubSpot: ≤100 events per request); anything larger is refused unread. */
const MAX_BODY_BYTES = 1024 * 1024;

/** A system that receives webhooks: its name (the cursor's key) and its mapper. */
export interface WebhookSystem {
  name: SystemName;
  webhook?: WebhookMapper;
}

export interface WebhookReceiverOptions {
  /** The registered systems; those with a webhook mapper answer `POST /webhooks/<vendor>`. */
  systems: readonly WebhookSystem[];
  /** By vendor (`hubspot`, `stripe`, `slack`). */
  secrets: Readonly<Record<string, string | undefined>>;
  /** Base URL the vendors call, when the gateway sits behind a proxy (HubSpot signs the full URL). */
  publicUrl?: string;
  changes: ChangeFeed;
  cursor?: CursorStore;
  logger: Logger;
  /** Told of every delivery read to its end: accepted, or why it was refused (the health model). */
  onDelivery?: (delivery: WebhookDelivery) => void;
}

interface Receiver {
  system: SystemName;
  mapper: WebhookMapper;
}

interface Outcome {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Changes to publish; `ackFirst` publishes them after answering. */
  changes?: ChangeEvent[];
  ackFirst?: boolean;
  /** Why a delivery was refused, for the health model; `reason` in the receiver's words (never payload text). */
  rejection?: Rejection;
  reason?: string;
}

const reject = (status: 400 | 401 | 405 | 413, code: string, message: string): Outcome => ({ status, body: { error: { code, message } } });

export function useWebhookReceivers(options: WebhookReceiverOptions): Plugin {
  const { logger } = options;
  const receivers = new Map<string, Receiver>();
  for (const { name, webhook } of options.systems) if (webhook) receivers.set(webhook.vendor, { system: name, mapper: webhook });
  const path = new RegExp(`^/webhooks/(${[...receivers.keys()].join('|')})/?$`);

  async function apply(receiver: Receiver, changes: ChangeEvent[]): Promise<void> {
    for (const change of changes) await options.changes.publish(change);
    const latest = Math.max(0, ...changes.map((c) => c.occurredAt));
    if (latest > 0) await options.cursor?.advance(receiver.system, latest);
  }

  function handle(receiver: Receiver, request: Request, url: URL, body: string): Outcome {
    const outcome = verifyAndMap(options, receiver, request, url, body);
    const { system, mapper } = receiver;
    const vendor = mapper.vendor;
    if (outcome.status === 200) {
      const events = (outcome.changes ?? []).map(({ eventId, occurredAt }) => ({ eventId, occurredAt }));
      options.onDelivery?.({ system, vendor, outcome: 'accepted', events });
    } else if (outcome.rejection) {
      options.onDelivery?.({ system, vendor, outcome: outcome.rejection, reason: outcome.reason });
    }
    return outcome;
  }

  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const match = path.exec(url.pathname);
      const receiver = match ? receivers.get(match[1]) : undefined;
      if (!receiver) return;
      const vendor = receiver.mapper.vendor;
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
      const outcome = handle(receiver, request, url, body);
      if (!outcome.changes || outcome.changes.length === 0) return respond(outcome);
      const changes = outcome.changes;
      if (outcome.ackFirst) {
        apply(receiver, changes).catch((error: unknown) => logger.error({ err: error, vendor }, 'webhook could not be applied'));
        return respond(outcome);
      }
      try {
        await apply(receiver, changes);
      } catch (error) {
        // Not lost: the vendor delivers it again. Only a failure that outlasts the vendor's retries needs a person.
        logger.warn({ err: error, vendor }, 'webhook could not be applied; the vendor will retry');
        return respond({ status: 500, body: { error: { code: 'INTERNAL_SERVER_ERROR', message: 'not applied; retry' } } });
      }
      return respond(outcome);
    },
  };
}

/** The delivery's signature and body checked, and its changes mapped; or why it is refused. */
function verifyAndMap(options: WebhookReceiverOptions, { mapper }: Receiver, request: Request, url: URL, body: string): Outcome {
  const vendor = mapper.vendor;
  const secret = options.secrets[vendor];
  // An unconfigured secret means nothing can be authentic: never apply unsigned data.
  if (!secret) return { ...reject(401, 'UNAUTHENTICATED', `no ${vendor} webhook secret is configured`), rejection: 'signature' };
  const problem = mapper.verify(secret, {
    method: request.method,
    // HubSpot signs the full URL the vendor called: behind a proxy, the public one.
    signedUri: options.publicUrl ? `${options.publicUrl}${url.pathname}${url.search}` : url.toString(),
    body,
    header: (name) => request.headers.get(name),
  });
  if (problem) {
    options.logger.warn({ vendor, reason: problem }, 'webhook rejected: signature');
    const rejection = /timestamp outside/.test(problem) ? 'stale' : 'signature';
    return { ...reject(401, 'UNAUTHENTICATED', 'invalid or stale webhook signature'), rejection, reason: problem };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ...reject(400, 'BAD_USER_INPUT', 'the body is not JSON'), rejection: 'malformed', reason: 'the body is not JSON' };
  }
  const mapped = mapper.map(json);
  if ('malformed' in mapped) {
    // The mapper's own words (no payload text): what an operator needs to see why nothing was applied.
    options.logger.warn({ vendor, reason: mapped.malformed }, 'webhook rejected: malformed');
    return { ...reject(400, 'BAD_USER_INPUT', mapped.malformed), rejection: 'malformed', reason: mapped.malformed };
  }
  return { status: 200, ...mapped };
}
