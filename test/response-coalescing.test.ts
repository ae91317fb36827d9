/**
 * Misses in flight coalesce: identical queries arriving while the first executes take its
 * answer (one execution, seen in the admission gauge and the response-cache counter), unless
 * a change arrived since it began, the scopes differ, or its client went away mid-way.
 */
import type { RequestLogEntry } from '@switchboard/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { TEST_API_KEYS_ENV } from './support/credentials.ts';
import { metric, queryAbortable, startStack, type Stack } from './support/stack.ts';

const CRM_ONLY = 'sbk_coalescing-crm-only-key-not-a-secret';
const CONTACT_READ = 'GET /crm/v3/objects/:type/:id';
// "In flight" is made by a gate the test opens, not by a latency margin (300 ms of CRM
// latency was overrun on a loaded machine): the leader's contact read stays unanswered until
// the test saw what it waits for. The timeout only ends a regression that never gets there.
const GATE_TIMEOUT_MS = 15_000;
const WAIT = { timeout: 10_000, interval: 10 };
const contactQuery = (id: string) => `{ contact(id: "${id}") { id email firstName } }`;

const coalesced = (stack: Stack) => metric(stack, 'switchboard_response_cache_total{result="coalesced"}');
const active = (stack: Stack) => metric(stack, 'switchboard_operations{state="active"}');

describe('coalescing identical misses in flight', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      world: { size: 50 },
      env: { SWITCHBOARD_API_KEYS: [TEST_API_KEYS_ENV, apiKeyConfigEntry('crm-only', CRM_ONLY, ['crm:read'])].join(',') },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });
  afterEach(() => stack.sandbox.server('crm').clearGates());

  const reads = (id: string): RequestLogEntry[] =>
    stack.sandbox.server('crm').requests.entries.filter((e) => e.route === CONTACT_READ && e.path.endsWith(`/${id}`));

  /** Holds the contact's CRM reads until the test opens the gate; the gate's id. */
  const holdReadsOf = (id: string) =>
    stack.sandbox.server('crm').gate({ route: CONTACT_READ, match: `/${id}?`, timeoutMs: GATE_TIMEOUT_MS }).id;

  /** Resolves once `count` reads of the contact have arrived, none of them answered yet. */
  const readsHeld = (id: string, count: number) =>
    vi.waitFor(() => {
      expect(reads(id)).toHaveLength(count);
      expect(reads(id).every((e) => e.answeredAt === undefined)).toBe(true);
    }, WAIT);

  /**
   * Followers sent before it have reached execution once a query sent after them has been
   * answered: each goes through the same steps up to execution, in the order sent, and this
   * one then also executes and reads the CRM (another contact, not held).
   */
  const afterQueriesSentBefore = async (contactIndex: number) => {
    const probe = stack.sandbox.world.contacts[contactIndex];
    expect((await stack.query(contactQuery(probe.id))).errors).toBeUndefined();
  };

  it('executes five identical queries in flight once, and answers all five alike', async () => {
    const contact = stack.sandbox.world.contacts[0];
    const before = await coalesced(stack);
    const gate = holdReadsOf(contact.id);
    const first = stack.query(contactQuery(contact.id));
    await readsHeld(contact.id, 1);
    const rest = [1, 2, 3, 4].map(() => stack.query(contactQuery(contact.id)));
    await afterQueriesSentBefore(10);
    // The four wait for the first one's answer instead of executing.
    expect(await active(stack)).toBe(1);
    stack.sandbox.server('crm').openGate(gate);

    const answers = await Promise.all([first, ...rest]);
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual({ contact: { id: contact.id, email: contact.email, firstName: contact.firstName } });
    }
    expect(reads(contact.id).map((e) => e.heldUntil)).toEqual(['opened']);
    expect(await coalesced(stack)).toBe(before + 4);
  });

  it('does not hand an answer begun before a change to a query that arrives after it', async () => {
    const contact = stack.sandbox.world.contacts[1];
    const before = await coalesced(stack);
    const gate = holdReadsOf(contact.id);
    const first = stack.query(contactQuery(contact.id));
    await readsHeld(contact.id, 1);
    await stack.gateway.changes.publish({
      eventId: `coalescing-${contact.id}`,
      system: 'crm',
      entity: 'contact',
      id: contact.id,
      action: 'updated',
      occurredAt: Date.now(),
      source: 'webhook',
    });
    const after = stack.query(contactQuery(contact.id));
    // The later query executes beside the first, whose read is still held.
    await vi.waitFor(async () => expect(await active(stack)).toBe(2), WAIT);
    expect(reads(contact.id).every((e) => e.answeredAt === undefined)).toBe(true);
    stack.sandbox.server('crm').openGate(gate);
    await Promise.all([first, after]);
    expect(reads(contact.id)[0].heldUntil).toBe('opened');
    expect(await coalesced(stack)).toBe(before);
  });

  it('does not share an answer between callers with different scopes', async () => {
    const contact = stack.sandbox.world.contacts[2];
    const before = await coalesced(stack);
    const gate = holdReadsOf(contact.id);
    const full = stack.query(contactQuery(contact.id));
    await readsHeld(contact.id, 1);
    const crmOnly = stack.query(contactQuery(contact.id), undefined, { authorization: `Bearer ${CRM_ONLY}` });
    await vi.waitFor(async () => expect(await active(stack)).toBe(2), WAIT);
    expect(reads(contact.id).every((e) => e.answeredAt === undefined)).toBe(true);
    stack.sandbox.server('crm').openGate(gate);
    await Promise.all([full, crmOnly]);
    expect(reads(contact.id)[0].heldUntil).toBe('opened');
    expect(await coalesced(stack)).toBe(before);
  });

  it('executes a follower for itself when the leader’s client went away mid-way', async () => {
    const contact = stack.sandbox.world.contacts[3];
    const before = await coalesced(stack);
    const gate = holdReadsOf(contact.id);
    const gone = new AbortController();
    const leader = queryAbortable(stack, contactQuery(contact.id), gone.signal);
    await readsHeld(contact.id, 1);
    const follower = stack.query(contactQuery(contact.id));
    await afterQueriesSentBefore(11);
    // The follower waits on the leader, whose read is still held.
    expect(await active(stack)).toBe(1);
    gone.abort();
    // The leader's read was cut with its client: the follower reads the contact itself.
    await readsHeld(contact.id, 2);
    stack.sandbox.server('crm').openGate(gate);
    const answer = await follower;
    await leader;
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ contact: { id: contact.id, email: contact.email, firstName: contact.firstName } });
    expect(reads(contact.id).map((e) => e.heldUntil)).toEqual(['opened', 'opened']);
    expect(await coalesced(stack)).toBe(before);
  });
});
