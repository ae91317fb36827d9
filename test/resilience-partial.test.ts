/**
 * One system down, slow, rate-limited or answering garbage: its fields are null with the
 * right code at the right path, and everything else in the response is intact.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SystemName } from '@switchboard/sandbox';
import { type Corruption } from '@switchboard/sandbox';
import { NO_CACHE_ENV, startStack, type Stack } from './support/stack.ts';

// One field per system: a CRM contact, a Stripe customer, a Slack member.
function crossQuery(stack: Stack): string {
  const w = stack.sandbox.world;
  return `{ contact(id: "${w.contacts[0].id}") { id email } customer(id: "${w.customers[0].id}") { id email } chatUser(id: "${w.chatUsers[0].id}") { id name } }`;
}
const FIELD: Record<SystemName, string> = { crm: 'contact', billing: 'customer', chat: 'chatUser' };
const SYSTEMS: SystemName[] = ['crm', 'billing', 'chat'];

describe('partial results when one system fails', () => {
  let stack: Stack;
  beforeAll(async () => {
    // No cross-request cache, so every query reaches the upstreams; the Slack user directory
    // too is re-read on every request (refresh interval 0, under both of its names).
    stack = await startStack({
      world: { size: 100 },
      env: { ...NO_CACHE_ENV, UPSTREAM_BREAKER_THRESHOLD: '1000' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    for (const system of SYSTEMS) await stack.sandbox.server(system).resetAll();
  });

  for (const down of SYSTEMS) {
    it(`nulls only the ${down} field with UPSTREAM_UNAVAILABLE when ${down} refuses connections`, async () => {
      await stack.sandbox.server(down).setKnobs({ outage: 'refuse' });
      const result = await stack.query<Record<string, unknown>>(crossQuery(stack));
      expect(result.status).toBe(200);
      expect(result.data![FIELD[down]]).toBeNull();
      for (const other of SYSTEMS.filter((s) => s !== down)) expect(result.data![FIELD[other]]).toMatchObject({ id: expect.any(String) });
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0].path).toEqual([FIELD[down]]);
      expect(result.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: down });
    });

    it(`nulls only the ${down} field with RATE_LIMITED and retryAfter when ${down} answers 429 for a minute`, async () => {
      await stack.sandbox.server(down).setKnobs({ rateLimitForMs: 60_000 });
      const result = await stack.query<Record<string, unknown>>(crossQuery(stack));
      expect(result.data![FIELD[down]]).toBeNull();
      for (const other of SYSTEMS.filter((s) => s !== down)) expect(result.data![FIELD[other]]).toMatchObject({ id: expect.any(String) });
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0].path).toEqual([FIELD[down]]);
      expect(result.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', service: down, retryAfter: expect.any(Number) });
      expect(result.errors![0].extensions!.retryAfter as number).toBeGreaterThanOrEqual(1);
    });
  }

  const CORRUPTIONS: Exclude<Corruption, 'none'>[] = ['html', 'truncate', 'drop-field', 'wrong-type'];
  for (const system of SYSTEMS) {
    for (const corruption of CORRUPTIONS) {
      it(`answers a ${corruption} ${system} response with UPSTREAM_BAD_RESPONSE at the ${system} field only`, async () => {
        await stack.sandbox.server(system).setKnobs({ corrupt: corruption });
        const result = await stack.query<Record<string, unknown>>(crossQuery(stack));
        expect(result.status).toBe(200);
        expect(result.data![FIELD[system]]).toBeNull();
        for (const other of SYSTEMS.filter((s) => s !== system))
          expect(result.data![FIELD[other]]).toMatchObject({ id: expect.any(String) });
        expect(result.errors).toHaveLength(1);
        expect(result.errors![0].path).toEqual([FIELD[system]]);
        expect(result.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', service: system });
        // The vendor's body never reaches the client.
        expect(JSON.stringify(result.errors)).not.toMatch(/<html|Bad Gateway|12345/i);
      });
    }
  }
});
