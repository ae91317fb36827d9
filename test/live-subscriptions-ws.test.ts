/**
 * Subscriptions over graphql-ws (the WebSocket protocol) go through the same pipeline as
 * HTTP: the credential in connectionParams is checked, and changes arrive as over SSE. Also:
 * a change the gateway itself published is not published again when the vendor's webhook
 * for it arrives later.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hubspotV3Signature, SANDBOX_WEBHOOK_SECRETS } from '@switchboard/sandbox';
import { TEST_AUTH_HEADERS } from './support/credentials.ts';
import { countFeedListeners, recordFeed, registerWebhooks, sandboxAdmin, serve, sleep, type Served } from './support/live.ts';
import { startStack, type Stack } from './support/stack.ts';

function wsClient(url: string, authorization?: string): Client {
  return createClient({
    url: url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

function collect<T>(client: Client, query: string, variables: Record<string, unknown>) {
  const results: { data?: T; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }[] = [];
  const failures: unknown[] = [];
  const stop = client.subscribe<T>(
    { query, variables },
    { next: (r) => results.push(r as (typeof results)[number]), error: (e) => failures.push(e), complete: () => undefined },
  );
  return { results, failures, stop };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('graphql-ws subscriptions and the echo rule', () => {
  let stack: Stack;
  let served: Served;
  let listeners: ReturnType<typeof countFeedListeners>;

  beforeAll(async () => {
    stack = await startStack({ env: { SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'live-ws-')) } });
    listeners = countFeedListeners(stack.gateway.changes);
    served = await serve(stack.gateway);
    await registerWebhooks(stack.sandbox, served.url, {}, ['crm']);
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it('delivers contactChanged over graphql-ws to a client that sent its API key in connectionParams', async () => {
    const client = wsClient(served.url, TEST_AUTH_HEADERS.authorization);
    const id = stack.sandbox.world.contacts[5].id;
    const registered = listeners.count() + 1;
    const sub = collect<{ contactChanged: { id: string; lastName: string } }>(
      client,
      'subscription ($id: ID) { contactChanged(id: $id) { id lastName } }',
      { id },
    );
    try {
      // The edit must come after the subscription listens to the change feed, or it is missed.
      await listeners.until(registered);
      await sandboxAdmin(stack.sandbox, 'crm', 'edit', { objectType: 'contacts', id, properties: { lastname: 'OverWebSocket' } });
      await until(() => sub.results.length > 0);
      expect(sub.failures).toEqual([]);
      expect(sub.results[0].data).toEqual({ contactChanged: { id, lastName: 'OverWebSocket' } });
    } finally {
      sub.stop();
      await client.dispose();
    }
  });

  it('refuses a graphql-ws subscription without a credential with UNAUTHENTICATED', async () => {
    const client = wsClient(served.url);
    const sub = collect(client, 'subscription { contactChanged { id } }', {});
    try {
      await until(() => sub.results.length > 0 || sub.failures.length > 0);
      // A refused operation arrives as graphql-ws `error` message: an array of GraphQL errors.
      const refused = sub.failures.flatMap((f) => (Array.isArray(f) ? (f as { extensions?: Record<string, unknown> }[]) : []));
      const codes = [...sub.results.flatMap((r) => r.errors ?? []), ...refused].map((e) => e.extensions?.code);
      expect(codes).toContain('UNAUTHENTICATED');
    } finally {
      sub.stop();
      await client.dispose();
    }
  });

  it('does not publish the webhook echo of a change the gateway already published, but does publish a later change to the same record', async () => {
    const feed = recordFeed(stack.gateway.changes);
    const published = feed.events;
    try {
      const id = stack.sandbox.world.contacts[9].id;
      const occurredAt = Date.now();
      await stack.gateway.changes.publish({
        eventId: 'gw-write-1',
        system: 'crm',
        entity: 'contact',
        id,
        action: 'updated',
        occurredAt,
        source: 'gateway',
      });
      const deliver = async (eventId: number, at: number) => {
        const body = JSON.stringify([
          {
            eventId,
            portalId: 62515,
            occurredAt: at,
            subscriptionType: 'contact.propertyChange',
            objectId: Number(id),
            propertyName: 'firstname',
            propertyValue: 'x',
          },
        ]);
        const ts = Date.now();
        const url = `${served.url}/webhooks/hubspot`;
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hubspot-signature-v3': hubspotV3Signature(SANDBOX_WEBHOOK_SECRETS.hubspotClientSecret, 'POST', url, body, ts),
            'x-hubspot-request-timestamp': String(ts),
          },
          body,
        });
        expect(response.status).toBe(200);
      };
      await deliver(900001, occurredAt - 50); // the vendor's record of our own write
      await deliver(900002, Date.now() + 1000); // someone else's later edit
      // HubSpot is answered after publishing, and the echo was answered before the later edit
      // was sent: once the later edit is in the feed, the echo would be ahead of it.
      await feed.until((events) => events.some((e) => e.eventId.startsWith('hubspot:62515:900002:')), 'the later edit');
      expect(published.map((e) => e.eventId)).toEqual(['gw-write-1', expect.stringMatching(/^hubspot:62515:900002:/)]);
    } finally {
      feed.stop();
    }
  });
});
