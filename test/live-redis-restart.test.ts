/**
 * Writes while the Redis that carries the change feed restarts or is down (found by the
 * soak, whose nemesis restarts Redis): the write happened at the vendor, so it is answered
 * as the success it was — never as an internal error — and its change is announced once
 * Redis is back: within the publication's retries, or in the background after them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, SoakRedis } from '../soak/redis.ts';
import { captureLog, LEVEL, type CapturedLog } from './support/log-capture.ts';
import { recordFeed } from './support/live.ts';
import { hasService } from './support/services.ts';
import { startStack, type Stack } from './support/stack.ts';

describe.runIf(hasService('redis-server'))('a write while the change feed’s Redis restarts', () => {
  let redis: SoakRedis;
  let stack: Stack;
  let log: CapturedLog;
  beforeAll(async () => {
    redis = new SoakRedis(await freePort());
    await redis.start();
    log = captureLog('warn');
    stack = await startStack({ world: { size: 60 }, env: { REDIS_URL: redis.url }, logger: log.logger });
  });
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  const update = (id: string, jobTitle: string) =>
    stack.query<{ updateContact: { jobTitle: string } }>(
      `mutation { updateContact(id: "${id}", input: { jobTitle: "${jobTitle}" }) { jobTitle } }`,
    );
  const vendorGotWrite = (id: string) =>
    vi.waitFor(
      () => expect(stack.sandbox.server('crm').requests.entries.some((e) => e.method === 'PATCH' && e.path.endsWith(`/${id}`))).toBe(true),
      { timeout: 10_000 },
    );

  it('answers the write, and announces its change once Redis is back', async () => {
    const [contact] = stack.sandbox.world.contacts;
    const feed = recordFeed(stack.gateway.changes);
    await redis.stop();
    stack.resetCounts();
    const write = update(contact.id, 'Across a restart');
    // Redis comes back only once the vendor has the write: the announcement that follows meets a dead Redis first.
    await vendorGotWrite(contact.id);
    await redis.start();
    const answer = await write;
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.updateContact.jobTitle).toBe('Across a restart');
    await feed.until((events) => events.some((e) => e.id === contact.id && e.source === 'gateway'), 'the change of the write', 20_000);
    feed.stop();
  });

  it('answers the write when Redis stays down past the retries, logs it, and announces the change once Redis is back', async () => {
    const contact = stack.sandbox.world.contacts[1];
    const feed = recordFeed(stack.gateway.changes);
    await redis.stop();
    stack.resetCounts();
    log.clear();
    try {
      const answer = await update(contact.id, 'Redis stayed away');
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.updateContact.jobTitle).toBe('Redis stayed away');
      const unannounced = log.lines.filter((line) => line.level === LEVEL.error && /could not announce/.test(line.msg ?? ''));
      expect(unannounced).toHaveLength(1);
      expect(unannounced[0]).toMatchObject({ system: 'crm', id: contact.id });
    } finally {
      await redis.start();
    }
    await feed.until(
      (events) => events.some((e) => e.id === contact.id && e.source === 'gateway'),
      'the change, announced in the background',
      20_000,
    );
    feed.stop();
  });
});
