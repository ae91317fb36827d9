/**
 * A write through the gateway publishes its change once: subscribers hear about it from
 * the mutation itself, and the vendor's webhook for the same change, arriving later, is
 * not published a second time.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWebhooks, serve, sleep, subscribeSse, type Served } from './support/live.ts';
import { startStack, type Stack } from './support/stack.ts';

describe('a mutation and the webhook that echoes it', () => {
  let stack: Stack;
  let served: Served;

  beforeAll(async () => {
    stack = await startStack({ world: { size: 50 }, env: { SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'echo-')) } });
    served = await serve(stack.gateway);
    await registerWebhooks(stack.sandbox, served.url, {}, ['crm']);
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it('delivers updateContact to a contactChanged subscriber exactly once, although HubSpot also sends the webhook', async () => {
    const id = '10000007';
    const subscription = await subscribeSse<{ contactChanged: { id: string; firstName: string } }>(
      served.url,
      'subscription ($id: ID) { contactChanged(id: $id) { id firstName } }',
      { id },
    );
    try {
      stack.sandbox.server('crm').requests.reset();
      const result = await stack.query<{ updateContact: { firstName: string } }>(
        'mutation ($id: ID!) { updateContact(id: $id, input: { firstName: "Echoed" }) { id firstName } }',
        { id },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.updateContact.firstName).toBe('Echoed');
      const first = await subscription.nth(1, 5000);
      expect(first.data!.contactChanged).toEqual({ id, firstName: 'Echoed' });
      // Wait for HubSpot's batched webhook: it is logged once answered, and HubSpot is answered
      // after the change feed has decided (and fanned out, had it published) the echo.
      const deliveries = async () =>
        ((await (await fetch(`${stack.sandbox.urls.crm}/__sandbox/webhooks`)).json()) as { deliveries?: unknown[] }).deliveries?.length ??
        0;
      const deadline = Date.now() + 5000;
      while ((await deliveries()) === 0 && Date.now() < deadline) await sleep(50);
      expect(await deliveries()).toBeGreaterThan(0);
      // A sentinel: a later write. The subscriber's events arrive in order, so an echo fanned
      // out would reach it first.
      const later = await stack.query('mutation ($id: ID!) { updateContact(id: $id, input: { firstName: "Sentinel" }) { id firstName } }', {
        id,
      });
      expect(later.errors).toBeUndefined();
      await subscription.nth(2, 5000);
      expect(subscription.received.map((r) => r.data!.contactChanged.firstName)).toEqual(['Echoed', 'Sentinel']);
    } finally {
      subscription.close();
    }
  });
});
