/**
 * Admission control: with every execution slot and queue place taken, the next operation
 * is answered 503 OVERLOADED with Retry-After at once and sends nothing upstream; a queued
 * operation runs when a slot frees; one whose client goes away while it waits leaves the
 * queue then and never starts. A response-cache hit needs no slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, queryAbortable, startStack, type Stack } from './support/stack.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const contactQuery = (id: string) => `{ contact(id: "${id}") { id email } }`;


describe('admission control (1 slot, 1 queue place)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 20 }, env: { MAX_CONCURRENT_OPERATIONS: '1', MAX_QUEUED_OPERATIONS: '1', REQUEST_DEADLINE_MS: '10000' } });
    await stack.sandbox.server('crm').setKnobs({ latencyMs: 300 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('runs one, queues one, and answers the third OVERLOADED at once without an upstream call', async () => {
    const [a, b, c] = stack.sandbox.world.contacts;
    stack.resetCounts();
    const startedAt = Date.now();
    const first = stack.query(contactQuery(a.id));
    await sleep(100);
    const second = stack.query(contactQuery(b.id));
    await sleep(50);
    expect(await metric(stack, 'switchboard_operations{state="active"}')).toBe(1);
    expect(await metric(stack, 'switchboard_operations{state="queued"}')).toBe(1);

    const third = await stack.query(contactQuery(c.id));
    const thirdMs = Date.now() - startedAt;
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(third.data ?? null).toBeNull();
    expect(third.errors).toHaveLength(1);
    expect(third.errors![0].extensions).toMatchObject({ code: 'OVERLOADED', retryAfter: 1 });
    expect(thirdMs).toBeLessThan(300);

    const [one, two] = await Promise.all([first, second]);
    const bothMs = Date.now() - startedAt;
    expect(one.data).toEqual({ contact: { id: a.id, email: a.email } });
    expect(two.data).toEqual({ contact: { id: b.id, email: b.email } });
    // The second waited for the first's slot: two upstream round trips end to end.
    expect(bothMs).toBeGreaterThanOrEqual(600);
    expect(stack.counts()).toEqual({ crm: 2, billing: 0, chat: 0 });
    expect(await metric(stack, 'switchboard_operations_rejected_total{reason="queue-full"}')).toBe(1);
    expect(await metric(stack, 'switchboard_operations{state="active"}')).toBe(0);
  });

  it('drops a waiting operation whose client went away, before it starts', async () => {
    const [, , , d, e] = stack.sandbox.world.contacts;
    stack.resetCounts();
    const first = stack.query(contactQuery(d.id));
    await sleep(100);
    const gone = new AbortController();
    const waiting = queryAbortable(stack, contactQuery(e.id), gone.signal);
    await sleep(50);
    expect(await metric(stack, 'switchboard_operations{state="queued"}')).toBe(1);
    gone.abort();
    await sleep(20);
    // Left the queue while the first still runs, not when its slot freed.
    expect(await metric(stack, 'switchboard_operations{state="queued"}')).toBe(0);
    expect(await metric(stack, 'switchboard_operations_rejected_total{reason="deadline"}')).toBe(1);
    expect((await first).data).toEqual({ contact: { id: d.id, email: d.email } });
    await waiting;
    await sleep(50);
    expect(stack.counts()).toEqual({ crm: 1, billing: 0, chat: 0 });
  });

  it('answers a response-cache hit while every slot is taken', async () => {
    const [a, , , , , f] = stack.sandbox.world.contacts;
    const cached = await stack.query(contactQuery(a.id));
    expect(cached.data).toEqual({ contact: { id: a.id, email: a.email } });
    stack.resetCounts();
    const busy = stack.query(contactQuery(f.id));
    await sleep(100);
    expect(await metric(stack, 'switchboard_operations{state="active"}')).toBe(1);
    const hit = await stack.query(contactQuery(a.id));
    expect(hit.status).toBe(200);
    expect(hit.data).toEqual({ contact: { id: a.id, email: a.email } });
    expect(await metric(stack, 'switchboard_operations{state="active"}')).toBe(1);
    expect((await busy).data).toEqual({ contact: { id: f.id, email: f.email } });
    expect(stack.counts()).toEqual({ crm: 1, billing: 0, chat: 0 });
  });
});
