/**
 * Admission control: with every execution slot and queue place taken, the next operation
 * is answered 503 OVERLOADED with Retry-After at once and sends nothing upstream; a queued
 * operation runs when a slot frees; one whose client goes away while it waits leaves the
 * queue then and never starts. A response-cache hit needs no slot.
 *
 * The operation holding the slot is kept active by a sandbox gate on its HubSpot read, shut
 * until the test has seen what it waits for and opens it (not by a latency margin a loaded
 * machine can overrun): the log records that the test let the answer go ('opened').
 */
import type { RequestLogEntry } from '@switchboard/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { metric, queryAbortable, startStack, type Stack } from './support/stack.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const contactQuery = (id: string) => `{ contact(id: "${id}") { id email } }`;

const CONTACT_READ = 'GET /crm/v3/objects/:type/:id';
// Far below the tests' 30 s and the gateway's 10 s deadline: a regression fails on the
// recorded cause ('timeout') instead of hanging.
const GATE_TIMEOUT_MS = 8_000;

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
  });
  const crm = () => stack.sandbox.server('crm');
  const crmLog = () => crm().requests.entries;
  /** Holds HubSpot's contact reads until the test opens the gate it returns. */
  const holdContactReads = () => crm().gate({ route: CONTACT_READ, timeoutMs: GATE_TIMEOUT_MS }).id;
  /** The first contact read, once it has arrived and is held (logged, unanswered). */
  const held = (): Promise<RequestLogEntry> =>
    vi.waitFor(
      () => {
        const [first] = crmLog();
        expect(first?.route).toBe(CONTACT_READ);
        expect(first.answeredAt).toBeUndefined();
        return first;
      },
      { timeout: 10_000 },
    );
  afterEach(() => crm().clearGates());
  const queued = () => metric(stack, 'switchboard_operations{state="queued"}');
  afterAll(async () => {
    await stack?.close();
  });

  it('runs one, queues one, and answers the third OVERLOADED at once without an upstream call', async () => {
    const [a, b, c] = stack.sandbox.world.contacts;
    stack.resetCounts();
    const gate = holdContactReads();
    const first = stack.query(contactQuery(a.id));
    const firstCall = await held();
    const second = stack.query(contactQuery(b.id));
    await until(async () => (await queued()) === 1, 'the second operation to queue');
    expect(await metric(stack, 'switchboard_operations{state="active"}')).toBe(1);

    // Answered while HubSpot still holds the first's call (the gate is shut): it waited for no slot.
    const third = await stack.query(contactQuery(c.id));
    expect(firstCall.answeredAt).toBeUndefined();
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(third.data ?? null).toBeNull();
    expect(third.errors).toHaveLength(1);
    expect(third.errors![0].extensions).toMatchObject({ code: 'OVERLOADED', retryAfter: 1 });
    // The queued one has not started either: only the first's call reached HubSpot.
    expect(crmLog()).toHaveLength(1);

    expect(crm().openGate(gate)).toBe(true);
    const [one, two] = await Promise.all([first, second]);
    expect(one.data).toEqual({ contact: { id: a.id, email: a.email } });
    expect(two.data).toEqual({ contact: { id: b.id, email: b.email } });
    expect(stack.counts()).toEqual({ crm: 2, billing: 0, chat: 0 });
    const [, secondCall] = crmLog();
    expect(firstCall.heldUntil).toBe('opened');
    // The second waited for the first's slot: its call came after the first's answer.
    expect(secondCall.at).toBeGreaterThanOrEqual(firstCall.answeredAt!);
    expect(await metric(stack, 'switchboard_operations_rejected_total{reason="queue-full"}')).toBe(1);
    expect(await metric(stack, 'switchboard_operations{state="active"}')).toBe(0);
  });

  it('drops a waiting operation whose client went away, before it starts', async () => {
    const [, , , d, e, , g] = stack.sandbox.world.contacts;
    stack.resetCounts();
    const gate = holdContactReads();
    const first = stack.query(contactQuery(d.id));
    const firstCall = await held();
    const gone = new AbortController();
    const waiting = queryAbortable(stack, contactQuery(e.id), gone.signal);
    await until(async () => (await queued()) === 1, 'the second operation to queue');
    gone.abort();
    // Left the queue while HubSpot still held the first's call (the gate is shut), not when its slot freed.
    await until(async () => (await queued()) === 0, 'the queue to empty');
    expect(firstCall.answeredAt).toBeUndefined();
    expect(await metric(stack, 'switchboard_operations_rejected_total{reason="deadline"}')).toBe(1);
    expect(crm().openGate(gate)).toBe(true);
    expect((await first).data).toEqual({ contact: { id: d.id, email: d.email } });
    expect(firstCall.heldUntil).toBe('opened');
    await waiting;
    // One slot, served in order: had the dropped operation started when the first's slot
    // freed, its call would reach HubSpot before this later one's.
    expect((await stack.query(contactQuery(g.id))).data).toEqual({ contact: { id: g.id, email: g.email } });
    expect(crmLog().map((entry) => entry.path)).toEqual([d, g].map((contact) => `/crm/v3/objects/contacts/${contact.id}`));
    expect(stack.counts()).toEqual({ crm: 2, billing: 0, chat: 0 });
  });

  it('answers a response-cache hit while every slot is taken', async () => {
    const [a, , , , , f] = stack.sandbox.world.contacts;
    const cached = await stack.query(contactQuery(a.id));
    expect(cached.data).toEqual({ contact: { id: a.id, email: a.email } });
    stack.resetCounts();
    const gate = holdContactReads();
    const busy = stack.query(contactQuery(f.id));
    const busyCall = await held();
    expect(await metric(stack, 'switchboard_operations{state="active"}')).toBe(1);
    // Answered while the only slot was taken: HubSpot still holds the busy operation's call.
    const hit = await stack.query(contactQuery(a.id));
    expect(busyCall.answeredAt).toBeUndefined();
    expect(await metric(stack, 'switchboard_operations{state="active"}')).toBe(1);
    expect(hit.status).toBe(200);
    expect(hit.data).toEqual({ contact: { id: a.id, email: a.email } });
    expect(crm().openGate(gate)).toBe(true);
    expect((await busy).data).toEqual({ contact: { id: f.id, email: f.email } });
    expect(busyCall.heldUntil).toBe('opened');
    expect(stack.counts()).toEqual({ crm: 1, billing: 0, chat: 0 });
  });
});
