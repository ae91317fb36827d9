/**
 * Stripe webhook deliveries: one Event object per request, a new `Stripe-Signature`
 * (`t=…,v1=…`) per attempt; any non-2xx (3xx included) is retried with backoff.
 */
import type { BillingChange } from '../billing/store.ts';
import type { WebhookDeliverer } from './deliverer.ts';
import { stripeSignatureHeader } from './signatures.ts';

export function stripeWebhooks(deliverer: WebhookDeliverer): (change: BillingChange) => void {
  return (change) => {
    const event: Record<string, unknown> = { ...change.event, pending_webhooks: deliverer.targets.size };
    const body = JSON.stringify(event);
    deliverer.send({
      ids: [String(event.id)],
      build(target) {
        return {
          body,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'stripe-signature': stripeSignatureHeader(target.secret, body, Math.floor(Date.now() / 1000)),
            'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks) (sandbox)',
          },
        };
      },
    });
  };
}
