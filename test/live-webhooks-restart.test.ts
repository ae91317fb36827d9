/**
 * A restart of the sandbox must not make the gateway drop real changes as duplicates. With
 * Redis the gateway remembers the webhook event ids it claimed for days, across its own
 * restarts; a vendor never reissues an id, so neither may the sandbox, and the gateway
 * keys its de-duplication on what is unique for each vendor. Two runs, each a new sandbox
 * and a new gateway on one Redis namespace, make the same kind of change in each system
 * outside the gateway (as in the vendor's app): each run's webhooks must be applied, and
 * the next read through the gateway must show the new value, not the cached one.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hubspotV3Signature, SANDBOX_WEBHOOK_SECRETS, slackSignature } from '@switchboard/sandbox';
import type { ChangeEvent } from '../src/changes/types.ts';
import type { SystemName } from '@switchboard/sandbox';
import { recordFeed, registerWebhooks, sandboxAdmin, serve, sleep } from './support/live.ts';
import { hasService } from './support/services.ts';
import { startStack, type Stack } from './support/stack.ts';

interface Delivery {
  ids: string[];
  status: number;
}

/** Waits until the sandbox has delivered every one of `ids` with a 2xx. */
async function delivered(stack: Stack, system: SystemName, ids: string[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const log = (await sandboxAdmin(stack.sandbox, system, 'webhooks', undefined, 'GET')).deliveries as Delivery[];
    const ok = new Set(log.filter((d) => d.status >= 200 && d.status < 300).flatMap((d) => d.ids));
    if (ids.every((id) => ok.has(id))) return;
    await sleep(50);
  }
  throw new Error(`the sandbox did not deliver ${system} events ${ids.join(', ')}`);
}

describe.runIf(hasService('redis'))('webhooks after a restart of the sandbox, with Redis remembering claimed event ids', () => {
  it('applies each run’s changes from all three vendors, and reads after them are fresh', async () => {
    const namespace = `restart-${randomUUID()}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'restart-'));
    const seen: Record<string, string[]> = { crm: [], billing: [], chat: [] };
    for (const run of [1, 2]) {
      const stack = await startStack({
        world: { size: 50 },
        cacheNamespace: namespace,
        env: { REDIS_URL: 'redis://127.0.0.1:6379', SWITCHBOARD_DATA_DIR: dataDir },
      });
      const served = await serve(stack.gateway);
      const listening = new AbortController();
      try {
        await stack.gateway.changes.ready?.();
        await registerWebhooks(stack.sandbox, served.url);
        const published: ChangeEvent[] = [];
        void (async () => {
          for await (const event of stack.gateway.changes.subscribe(listening.signal)) published.push(event);
        })().catch(() => undefined);
        const contactId = stack.sandbox.world.contacts[0].id;
        const customerId = stack.sandbox.world.customers[0].id;
        const channels = await stack.query<{ channels: { nodes: { id: string }[] } }>('{ channels(first: 5) { nodes { id } } }');
        expect(channels.errors).toBeUndefined();
        const channel = channels.data!.channels.nodes[0].id;
        const read = () =>
          stack.query<{ contact: { firstName: string }; customer: { name: string }; channelMessages: { nodes: { text: string }[] } }>(
            'query ($contact: ID!, $customer: ID!, $channel: ID!) { contact(id: $contact) { firstName } customer(id: $customer) { name } channelMessages(channel: $channel, first: 1) { nodes { text } } }',
            { contact: contactId, customer: customerId, channel },
          );
        // Cached now (in Redis, shared with the previous run): only an applied webhook makes the next read fresh.
        const before = await read();
        expect(before.errors).toBeUndefined();

        const crm = await sandboxAdmin(stack.sandbox, 'crm', 'edit', {
          objectType: 'contacts',
          id: contactId,
          properties: { firstname: `Run${run}` },
        });
        const billing = await sandboxAdmin(stack.sandbox, 'billing', 'edit', {
          object: 'customer',
          id: customerId,
          set: { name: `Customer run ${run}` },
        });
        const chat = await sandboxAdmin(stack.sandbox, 'chat', 'edit', { kind: 'message', channel, text: `posted in run ${run}` });
        const ids = {
          crm: (crm.events as { eventId: number }[]).map((e) => String(e.eventId)),
          billing: (billing.events as { id: string }[]).map((e) => e.id),
          chat: (chat.changes as { event_id: string }[]).map((e) => e.event_id),
        };
        for (const system of ['crm', 'billing', 'chat'] as const) {
          expect(ids[system].length).toBeGreaterThan(0);
          await delivered(stack, system, ids[system]);
          // The vendor never reissues an event id, and neither does the sandbox after a restart.
          for (const id of ids[system]) expect(seen[system]).not.toContain(id);
          seen[system].push(...ids[system]);
        }
        // Slack is acknowledged before it is applied: wait until the change feed carried the message.
        const message = `${channel}:${(chat.object as { ts: string }).ts}`;
        for (let i = 0; i < 100 && !published.some((e) => e.system === 'chat' && e.id === message); i++) await sleep(50);
        const after = await read();
        expect(after.errors).toBeUndefined();
        expect(after.data!.contact.firstName).toBe(`Run${run}`);
        expect(after.data!.customer.name).toBe(`Customer run ${run}`);
        expect(after.data!.channelMessages.nodes[0].text).toBe(`posted in run ${run}`);
      } finally {
        listening.abort();
        await served.close();
        await stack.close();
      }
    }
  }, 60_000);
});

describe('de-duplication keys on what is unique for each vendor', () => {
  it('applies a HubSpot eventId or a Slack event_id reused for another change, and still drops a retry', async () => {
    const stack = await startStack({ world: { size: 20 } });
    const served = await serve(stack.gateway);
    const feed = recordFeed(stack.gateway.changes);
    const published = feed.events;
    try {
      const hubspot = async (objectId: string, occurredAt: number) => {
        const body = JSON.stringify([
          {
            eventId: 7,
            portalId: 62515,
            occurredAt,
            subscriptionType: 'contact.propertyChange',
            objectId: Number(objectId),
            propertyName: 'firstname',
            propertyValue: 'x',
          },
        ]);
        const ts = Date.now();
        const url = `${served.url}/webhooks/hubspot`;
        const signature = hubspotV3Signature(SANDBOX_WEBHOOK_SECRETS.hubspotClientSecret, 'POST', url, body, ts);
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(ts) },
          body,
        });
        expect(response.status).toBe(200);
      };
      const [a, b] = stack.sandbox.world.contacts;
      const at = Date.now() - 5000;
      await hubspot(a.id, at);
      await hubspot(a.id, at); // a retry: every field the same
      await hubspot(b.id, at); // eventId 7 again, for another record
      await hubspot(a.id, at + 1000); // eventId 7 again, a later change of the same record
      expect(published.filter((e) => e.system === 'crm').map((e) => [e.id, e.occurredAt])).toEqual([
        [a.id, at],
        [b.id, at],
        [a.id, at + 1000],
      ]);

      const slack = async (eventTime: number, text: string, eventId = 'Ev00000001') => {
        const body = JSON.stringify({
          type: 'event_callback',
          team_id: 'T1',
          event_id: eventId,
          event_time: eventTime,
          event: { type: 'message', channel: 'C1', user: 'U1', text, ts: `${eventTime}.000100` },
        });
        const now = Math.floor(Date.now() / 1000);
        const headers = {
          'content-type': 'application/json',
          'x-slack-signature': slackSignature(SANDBOX_WEBHOOK_SECRETS.slackSigningSecret, body, now),
          'x-slack-request-timestamp': String(now),
        };
        const response = await fetch(`${served.url}/webhooks/slack`, { method: 'POST', headers, body });
        expect(response.status).toBe(200);
      };
      const now = Math.floor(Date.now() / 1000);
      await slack(now - 100, 'before a restart');
      await slack(now - 100, 'before a restart'); // a retry
      await slack(now - 10, 'after a restart'); // the counter started again at 1
      // A sentinel through the same receiver: Slack is answered first, but each delivery is
      // claimed (and, with the memory transport, published) before it is answered, so the
      // retry is decided ahead of it.
      await slack(now - 5, 'sentinel', 'Ev00000002');
      const sentinel = `C1:${now - 5}.000100`;
      await feed.until((events) => events.some((e) => e.id === sentinel), 'the sentinel');
      expect(published.filter((e) => e.system === 'chat').map((e) => e.id)).toEqual([
        `C1:${now - 100}.000100`,
        `C1:${now - 10}.000100`,
        sentinel,
      ]);
    } finally {
      feed.stop();
      await served.close();
      await stack.close();
    }
  });
});
