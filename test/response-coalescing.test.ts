/**
 * Misses in flight coalesce: identical queries arriving while the first executes take its
 * answer (one execution, seen in the admission gauge and the response-cache counter), unless
 * a change arrived since it began, the scopes differ, or its client went away mid-way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { TEST_API_KEYS_ENV } from './support/credentials.ts';
import { metric, queryAbortable, startStack, type Stack } from './support/stack.ts';

const CRM_ONLY = 'sbk_coalescing-crm-only-key-not-a-secret';
const CRM_LATENCY_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
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
    await stack.sandbox.server('crm').setKnobs({ latencyMs: CRM_LATENCY_MS });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('executes five identical queries in flight once, and answers all five alike', async () => {
    const contact = stack.sandbox.world.contacts[0];
    const before = await coalesced(stack);
    const first = stack.query(contactQuery(contact.id));
    await sleep(50);
    const rest = [1, 2, 3, 4].map(() => stack.query(contactQuery(contact.id)));
    await sleep(50);
    expect(await active(stack)).toBe(1);

    const answers = await Promise.all([first, ...rest]);
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual({ contact: { id: contact.id, email: contact.email, firstName: contact.firstName } });
    }
    expect(await coalesced(stack)).toBe(before + 4);
  });

  it('does not hand an answer begun before a change to a query that arrives after it', async () => {
    const contact = stack.sandbox.world.contacts[1];
    const before = await coalesced(stack);
    const first = stack.query(contactQuery(contact.id));
    await sleep(50);
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
    await sleep(50);
    expect(await active(stack)).toBe(2);
    await Promise.all([first, after]);
    expect(await coalesced(stack)).toBe(before);
  });

  it('does not share an answer between callers with different scopes', async () => {
    const contact = stack.sandbox.world.contacts[2];
    const before = await coalesced(stack);
    const full = stack.query(contactQuery(contact.id));
    await sleep(50);
    const crmOnly = stack.query(contactQuery(contact.id), undefined, { authorization: `Bearer ${CRM_ONLY}` });
    await sleep(50);
    expect(await active(stack)).toBe(2);
    await Promise.all([full, crmOnly]);
    expect(await coalesced(stack)).toBe(before);
  });

  it('executes a follower for itself when the leader’s client went away mid-way', async () => {
    const contact = stack.sandbox.world.contacts[3];
    const before = await coalesced(stack);
    const gone = new AbortController();
    const leader = queryAbortable(stack, contactQuery(contact.id), gone.signal);
    await sleep(50);
    const follower = stack.query(contactQuery(contact.id));
    await sleep(50);
    gone.abort();
    const answer = await follower;
    await leader;
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ contact: { id: contact.id, email: contact.email, firstName: contact.firstName } });
    expect(await coalesced(stack)).toBe(before);
  });
});
