/**
 * HubSpot webhook deliveries: JSON arrays of up to 100 events, batched from the changes of
 * a short window, signed with X-HubSpot-Signature-v3 over the exact URL posted to.
 * 400/401/403/404/405 are not retried; everything else is.
 */
import type { CrmChangeEvent } from '../crm/store.ts';
import type { OutgoingDelivery, WebhookDeliverer } from './deliverer.ts';
import { hubspotV3Signature } from './signatures.ts';

const BATCH_LIMIT = 100;
const BATCH_WINDOW_MS = 10;
export const SANDBOX_PORTAL_ID = 62515;
export const SANDBOX_HUBSPOT_APP_ID = 54321;
const SUBSCRIPTION_IDS: Record<string, number> = { contact: 1001, company: 1002, deal: 1003 };

function payloadOf(event: CrmChangeEvent): Record<string, unknown> {
  const kind = event.subscriptionType.split('.')[0];
  return {
    eventId: event.eventId,
    subscriptionId: SUBSCRIPTION_IDS[kind] ?? 1000,
    portalId: SANDBOX_PORTAL_ID,
    appId: SANDBOX_HUBSPOT_APP_ID,
    occurredAt: event.occurredAt,
    subscriptionType: event.subscriptionType,
    objectId: event.objectId,
    changeSource: event.changeSource,
    sourceId: event.sourceId,
    ...(event.type === 'creation' || event.type === 'deletion' ? { changeFlag: event.type === 'creation' ? 'CREATED' : 'DELETED' } : {}),
    ...(event.propertyName !== undefined ? { propertyName: event.propertyName, propertyValue: event.propertyValue } : {}),
    ...(event.type === 'associationChange'
      ? {
          associationType: event.associationType,
          fromObjectId: event.fromObjectId,
          toObjectId: event.toObjectId,
          associationRemoved: event.associationRemoved,
          isPrimaryAssociation: event.isPrimaryAssociation,
        }
      : {}),
  };
}

function delivery(events: CrmChangeEvent[]): OutgoingDelivery {
  const payloads = events.map(payloadOf);
  return {
    ids: events.map((e) => String(e.eventId)),
    build(target, attempt) {
      const body = JSON.stringify(payloads.map((p) => ({ ...p, attemptNumber: attempt })));
      const timestamp = Date.now();
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'x-hubspot-signature-v3': hubspotV3Signature(target.secret, 'POST', target.url, body, timestamp),
          'x-hubspot-request-timestamp': String(timestamp),
          'x-hubspot-timeout-millis': '10000',
          'user-agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) (sandbox)',
        },
      };
    },
    noRetry: (status) => [400, 401, 403, 404, 405].includes(status),
  };
}

/** Returns the 'change' listener that batches CRM changes into deliveries. */
export function hubspotWebhooks(deliverer: WebhookDeliverer): (event: CrmChangeEvent) => void {
  let pending: CrmChangeEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const events = pending;
    pending = [];
    for (let i = 0; i < events.length; i += BATCH_LIMIT) deliverer.send(delivery(events.slice(i, i + BATCH_LIMIT)));
  };
  return (event) => {
    pending.push(event);
    timer ??= setTimeout(flush, BATCH_WINDOW_MS);
  };
}
