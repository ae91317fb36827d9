/**
 * The change feed's shared memory of what was published lives in Redis; a Redis that restarts
 * empty forgets it. Each replica puts back what it claimed and marked lately as it reconnects,
 * so a webhook delivered again after the restart is not published twice (found by the soak: a
 * subscriber got one change twice after a Redis restart).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisTransport } from '../src/changes/redis.ts';
import { freePort, SoakRedis } from '../soak/redis.ts';
import { hasService } from './support/services.ts';

describe.runIf(hasService('redis-server'))('the change feed’s memory across a Redis restart', () => {
  let redis: SoakRedis;
  beforeAll(async () => {
    redis = new SoakRedis(await freePort());
    await redis.start();
  });
  afterAll(async () => redis?.stop());

  it('knows a change it published, and the record it announced, after Redis restarted empty', async () => {
    const namespace = `restart-${Date.now()}`;
    const transport = createRedisTransport({ url: redis.url, namespace, dedupeTtlSeconds: 600 });
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    probe.on('error', () => undefined);
    try {
      await transport.ready();
      const occurredAt = Date.now() - 1_000;
      expect(await transport.claim('evt-1')).toBe(true);
      // The gateway announced the record after the change occurred: the vendor's report of it is an echo.
      expect(await transport.isEcho('crm:contact:1', { source: 'gateway', occurredAt }, Date.now(), 600)).toBe(false);

      await redis.restart();
      await probe.connect();
      await vi.waitFor(async () => expect(await probe.exists(`${namespace}:changes:seen:evt-1`)).toBe(1), { timeout: 10_000 });

      expect(await transport.claim('evt-1')).toBe(false);
      expect(await transport.isEcho('crm:contact:1', { source: 'webhook', occurredAt }, Date.now(), 600)).toBe(true);
      expect(await transport.claim('evt-2')).toBe(true);
    } finally {
      probe.disconnect();
      await transport.close();
    }
  });
});
