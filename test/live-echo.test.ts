/**
 * A write's own webhook is its echo and reaches subscribers once — two cases the soak found
 * sending it twice:
 * - a cross-system step's change was dated when it was announced instead of when it was sent,
 *   so HubSpot's webhook, arriving before the announcement, was dated before it and went out too;
 * - the echo rule checked and marked in two steps, so a mutation's announcement and its webhook
 *   published at the same moment (on two replicas) could each miss the other.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createChangeFeed, createMemoryTransport, type ChangeTransport } from '../src/changes/feed.ts';
import { createRedisTransport } from '../src/changes/redis.ts';
import type { ChangeEvent } from '../src/changes/types.ts';
import { recordFeed, registerWebhooks, sandboxAdmin, serve, sleep } from './support/live.ts';
import { hasService } from './support/services.ts';
import { startStack, type Stack } from './support/stack.ts';

describe('a cross-system step whose webhook beats its announcement', () => {
  let stack: Stack | undefined;
  afterAll(async () => stack?.close());

  it('onboardCustomer: the new contact reaches the feed once', async () => {
    let webhookAnswered: () => Promise<boolean> = async () => false;
    stack = await startStack({
      world: { size: 50 },
      // The step's end (and so its announcement) waits until HubSpot's webhook for the new contact was answered.
      onWorkflowStep: async ({ step, phase }) => {
        if (step !== 'crm.createContact' || phase !== 'end') return;
        while (!(await webhookAnswered())) await sleep(20);
      },
    });
    const crm = stack.sandbox.urls.crm!;
    const served = await serve(stack.gateway);
    try {
      await registerWebhooks(stack.sandbox, served.url, {}, ['crm']);
      webhookAnswered = async () => {
        const log = (await (await fetch(`${crm}/__sandbox/webhooks`)).json()) as { deliveries: { status: number }[] };
        return log.deliveries.some((d) => d.status === 200);
      };
      const feed = recordFeed(stack.gateway.changes);
      const email = `echo-${randomUUID()}@example.com`;
      const result = await stack.query<{ onboardCustomer: { status: string; contactId: string } }>(
        `mutation { onboardCustomer(idempotencyKey: "echo-${randomUUID()}", contact: { email: "${email}", firstName: "Echo" },
          plan: { priceId: "price_starter_monthly", quantity: 1 }, notify: { channel: "#general" }) { status contactId: upstreamId(name: "contactId") } }`,
      );
      expect(result.data!.onboardCustomer.status).toBe('SUCCEEDED');
      const contactId = result.data!.onboardCustomer.contactId;
      // A later edit's webhook is the sentinel: once it is on the feed, every earlier change is too.
      const sentinel = stack.sandbox.world.contacts[0].id;
      await sandboxAdmin(stack.sandbox, 'crm', 'edit', { objectType: 'contacts', id: sentinel, properties: { jobtitle: 'Sentinel' } });
      await feed.until((events) => events.some((e) => e.id === sentinel), 'the sentinel edit', 10_000);
      feed.stop();
      expect(feed.events.filter((e) => e.entity === 'contact' && e.id === contactId).map((e) => e.source)).toHaveLength(1);
    } finally {
      await served.close();
    }
  });
});

/** One replica's view of a shared transport, each of whose calls takes `ms` (a busy replica's round trip to Redis). */
function replicaOf(shared: ChangeTransport, ms: number): ChangeTransport {
  const slow =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await sleep(ms);
      return call.apply(shared, args);
    };
  return { ...shared, claim: slow(shared.claim), isEcho: slow(shared.isEcho), fanOut: slow(shared.fanOut), close: async () => undefined };
}

const CALL_MS = 20;

const change = (id: string, eventId: string, source: ChangeEvent['source'], occurredAt: number): ChangeEvent => ({
  system: 'crm',
  entity: 'contact',
  id,
  action: 'updated',
  eventId,
  source,
  occurredAt,
});

describe('a mutation and its webhook published at the same moment on two replicas', () => {
  // Each pair: the mutation sent at 1000, HubSpot applied it at 1010. The webhook reaches replica
  // `slow` first; the mutation's announcement starts on `fast` while the webhook's is under way —
  // when a check and its mark were two calls, this fell between the webhook's check and its mark.
  async function pairs(
    slow: ReturnType<typeof createChangeFeed>,
    fast: ReturnType<typeof createChangeFeed>,
    n: number,
  ): Promise<string[][]> {
    const feed = recordFeed(fast);
    const ids = Array.from({ length: n }, (_, i) => `echo-${randomUUID()}-${i}`);
    for (const id of ids) {
      const webhook = slow.publish(change(id, `hubspot:${id}`, 'webhook', 1010));
      await sleep(2.4 * CALL_MS);
      await Promise.all([webhook, fast.publish(change(id, `gw_${id}`, 'gateway', 1000))]);
    }
    // The sentinel, published last, is fanned out after every pair's event.
    await fast.publish(change('sentinel', `gw_sentinel-${randomUUID()}`, 'gateway', 2000));
    await feed.until((events) => events.some((e) => e.id === 'sentinel'), 'the sentinel');
    feed.stop();
    return ids.map((id) => feed.events.filter((e) => e.id === id).map((e) => e.source));
  }

  it('in memory: each change goes out exactly once', async () => {
    const shared = createMemoryTransport();
    const slow = createChangeFeed({ invalidate: async () => undefined, transport: replicaOf(shared, CALL_MS) });
    const fast = createChangeFeed({ invalidate: async () => undefined, transport: replicaOf(shared, 1) });
    for (const sources of await pairs(slow, fast, 10)) expect(sources).toHaveLength(1);
  });

  it.runIf(hasService('redis'))('over Redis: each change goes out exactly once', async () => {
    const namespace = `echo-${randomUUID()}`;
    const transport = () => createRedisTransport({ url: 'redis://127.0.0.1:6379', namespace, dedupeTtlSeconds: 60 });
    const [a, b] = [transport(), transport()];
    const slow = createChangeFeed({ invalidate: async () => undefined, transport: replicaOf(a, CALL_MS) });
    const fast = createChangeFeed({ invalidate: async () => undefined, transport: b });
    try {
      await Promise.all([a.ready(), b.ready()]);
      for (const sources of await pairs(slow, fast, 10)) expect(sources).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('one vendor change heard twice: its webhook, then a starting replica catching up on it', () => {
  // Found by the one-minute soak: a killed replica, started again, caught up on HubSpot's
  // last-modified records and published a vendor edit its webhook had already delivered; every
  // subscriber got it twice.
  async function heard(feeds: [ReturnType<typeof createChangeFeed>, ReturnType<typeof createChangeFeed>]) {
    const [first, second] = feeds;
    const feed = recordFeed(second);
    const id = `twice-${randomUUID()}`;
    await first.publish(change(id, `hubspot:${id}:1010`, 'webhook', 1010));
    // The same change again, then one older (a late webhook), under ids of their own: nothing new.
    await second.publish(change(id, `hubspot-catch-up:contact:${id}:1010`, 'catch-up', 1010));
    await first.publish(change(id, `hubspot:${id}:1005`, 'webhook', 1005));
    // A later change to the record is news.
    await second.publish(change(id, `hubspot-catch-up:contact:${id}:1020`, 'catch-up', 1020));
    await second.publish(change('sentinel', `gw_sentinel-${randomUUID()}`, 'gateway', 2000));
    await feed.until((events) => events.some((e) => e.id === 'sentinel'), 'the sentinel');
    feed.stop();
    return feed.events.filter((e) => e.id === id).map((e) => `${e.source}@${e.occurredAt}`);
  }

  it('in memory: each change goes out once', async () => {
    const shared = createMemoryTransport();
    const feeds = [0, 1].map(() => createChangeFeed({ invalidate: async () => undefined, transport: replicaOf(shared, 1) }));
    expect(await heard([feeds[0], feeds[1]])).toEqual(['webhook@1010', 'catch-up@1020']);
  });

  it.runIf(hasService('redis'))('over Redis, on two replicas: each change goes out once', async () => {
    const namespace = `twice-${randomUUID()}`;
    const [a, b] = [0, 1].map(() => createRedisTransport({ url: 'redis://127.0.0.1:6379', namespace, dedupeTtlSeconds: 60 }));
    try {
      await Promise.all([a.ready(), b.ready()]);
      const feeds = [a, b].map((transport) => createChangeFeed({ invalidate: async () => undefined, transport }));
      expect(await heard([feeds[0], feeds[1]])).toEqual(['webhook@1010', 'catch-up@1020']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a change whose fan-out failed is not taken for heard: its next delivery goes out', async () => {
    const shared = createMemoryTransport();
    let failNext = true;
    const flaky: ChangeTransport = {
      ...shared,
      fanOut: async (event) => {
        if (failNext) {
          failNext = false;
          throw new Error('the stream did not take it');
        }
        return shared.fanOut(event);
      },
    };
    // The feed retries a failed publication by itself: one publish, one event.
    const feed = createChangeFeed({ invalidate: async () => undefined, transport: flaky });
    const recorded = recordFeed(feed);
    const id = `flaky-${randomUUID()}`;
    await feed.publish(change(id, `hubspot:${id}`, 'webhook', 1010));
    await feed.publish(change('sentinel', `gw_sentinel-${randomUUID()}`, 'gateway', 2000));
    await recorded.until((events) => events.some((e) => e.id === 'sentinel'), 'the sentinel');
    recorded.stop();
    expect(failNext).toBe(false);
    expect(recorded.events.filter((e) => e.id === id).map((e) => e.source)).toEqual(['webhook']);
  });
});
