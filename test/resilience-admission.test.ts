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
/** Now, on the clock of the sandbox's request log. */
const now = () => performance.timeOrigin + performance.now();

/** Waits for a state the gateway or the sandbox reports, instead of sleeping a guessed time. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (const end = Date.now() + 10_000; !(await check()); await sleep(10)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('admission control (1 slot, 1 queue place)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      world: { size: 20 },
      env: { MAX_CONCURRENT_OPERATIONS: '1', MAX_QUEUED_OPERATIONS: '1', REQUEST_DEADLINE_MS: '10000' },
    });
    // HubSpot holds each answer this long: what the tests compare against is the sandbox's
    // record of when it answered, not a time of their own.
    await stack.sandbox.server('crm').setKnobs({ latencyMs: 1_000 });
  });
  const crmLog = () => stack.sandbox.server('crm').requests.entries;
  const queued = () => metric(stack, 'switchboard_operations{state="queued"}');
  afterAll(async () => {
    await stack?.close();
  });

  it('runs one, queues one, and answers the third OVERLOADED at once without an upstream call', async () => {
    const [a, b, c] = stack.sandbox.world.contacts;
    stack.resetCounts();
    const first = stack.query(contactQuery(a.id));
    await until(() => crmLog().length === 1, 'the first operation to reach HubSpot');
    const second = stack.query(contactQuery(b.id));
    await until(async () => (await queued()) === 1, 'the second operation to queue');
    expect(await metric(stack, 'switchboard_operations{state="active"}')).toBe(1);

    const third = await stack.query(contactQuery(c.id));
    const thirdAt = now();
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(third.data ?? null).toBeNull();
    expect(third.errors).toHaveLength(1);
    expect(third.errors![0].extensions).toMatchObject({ code: 'OVERLOADED', retryAfter: 1 });

    const [one, two] = await Promise.all([first, second]);
    expect(one.data).toEqual({ contact: { id: a.id, email: a.email } });
    expect(two.data).toEqual({ contact: { id: b.id, email: b.email } });
    expect(stack.counts()).toEqual({ crm: 2, billing: 0, chat: 0 });
    const [firstCall, secondCall] = crmLog();
    // The third was answered while HubSpot still held the first's call: it waited for no slot.
    expect(thirdAt).toBeLessThan(firstCall.answeredAt!);
    // The second waited for the first's slot: its call came after the first's answer.
    expect(secondCall.at).toBeGreaterThanOrEqual(firstCall.answeredAt!);
    expect(await metric(stack, 'switchboard_operations_rejected_total{reason="queue-full"}')).toBe(1);
    expect(await metric(stack, 'switchboard_operations{state="active"}')).toBe(0);
  });

  it('drops a waiting operation whose client went away, before it starts', async () => {
    const [, , , d, e] = stack.sandbox.world.contacts;
    stack.resetCounts();
    const first = stack.query(contactQuery(d.id));
    await until(() => crmLog().length === 1, 'the first operation to reach HubSpot');
    const gone = new AbortController();
    const waiting = queryAbortable(stack, contactQuery(e.id), gone.signal);
    await until(async () => (await queued()) === 1, 'the second operation to queue');
    gone.abort();
    await until(async () => (await queued()) === 0, 'the queue to empty');
    const leftAt = now();
    expect(await metric(stack, 'switchboard_operations_rejected_total{reason="deadline"}')).toBe(1);
    expect((await first).data).toEqual({ contact: { id: d.id, email: d.email } });
    // Left the queue while HubSpot still held the first's call, not when its slot freed.
    expect(leftAt).toBeLessThan(crmLog()[0].answeredAt!);
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
    await until(() => crmLog().length === 1, 'the busy operation to reach HubSpot');
    expect(await metric(stack, 'switchboard_operations{state="active"}')).toBe(1);
    const hit = await stack.query(contactQuery(a.id));
    const hitAt = now();
    expect(hit.status).toBe(200);
    expect(hit.data).toEqual({ contact: { id: a.id, email: a.email } });
    expect((await busy).data).toEqual({ contact: { id: f.id, email: f.email } });
    expect(stack.counts()).toEqual({ crm: 1, billing: 0, chat: 0 });
    // Answered while the only slot was taken: HubSpot still held the busy operation's call.
    expect(hitAt).toBeLessThan(crmLog()[0].answeredAt!);
  });
});
