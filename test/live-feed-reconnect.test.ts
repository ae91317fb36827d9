/**
 * A replica whose Redis connection drops misses none of the changes published meanwhile: it
 * reads the change stream from where it stopped (found by the soak: with pub/sub, a replica
 * still resubscribing after a Redis restart never heard the changes published then, and its
 * subscribers missed them).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createChangeFeed } from '../src/changes/feed.ts';
import { createRedisTransport } from '../src/changes/redis.ts';
import type { ChangeEvent } from '../src/changes/types.ts';
import { recordFeed } from './support/live.ts';
import { hasService } from './support/services.ts';

const URL = 'redis://127.0.0.1:6379';

describe.runIf(hasService('redis'))('the change feed over Redis when a replica’s connection drops', () => {
  it('delivers every change published while the replica was reconnecting, once', async () => {
    const namespace = `feed-reconnect-${randomUUID()}`;
    const transport = () => createRedisTransport({ url: URL, namespace, dedupeTtlSeconds: 60 });
    const publisher = createChangeFeed({ invalidate: async () => undefined, transport: transport() });
    const listener = createChangeFeed({ invalidate: async () => undefined, transport: transport() });
    const admin = new Redis(URL);
    try {
      await Promise.all([publisher.ready?.(), listener.ready?.()]);
      const heard = recordFeed(listener);
      // Cut the replicas' stream readers (the publishing connection stays), then publish at once, while they reconnect.
      const clients = (await admin.client('LIST')) as string;
      const readers = clients.split('\n').filter((line) => line.includes(`name=${namespace}:changes-reader`));
      expect(readers).toHaveLength(2);
      for (const line of readers) await admin.client('KILL', 'ID', /\bid=(\d+)/.exec(line)![1]);
      const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
      for (const id of ids) {
        const event: ChangeEvent = {
          system: 'crm',
          entity: 'contact',
          id,
          action: 'updated',
          eventId: `gw_${randomUUID()}`,
          source: 'gateway',
          occurredAt: Date.now(),
        };
        await publisher.publish(event);
      }
      await heard.until((events) => events.length >= ids.length, 'every change', 10_000);
      heard.stop();
      expect(heard.events.map((e) => e.id)).toEqual(ids);
    } finally {
      admin.disconnect();
      await Promise.all([publisher.close(), listener.close()]);
    }
  });
});
