/**
 * After WRITE_OUTCOME_UNKNOWN the advised read ("read the record to see whether it
 * happened") must reach the vendor: the write evicts what it could have changed from the
 * record cache and the response cache, and says so. No webhooks are registered with this
 * stack's sandbox, so nothing but the write itself can refresh the cache.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasService } from './support/services.ts';
import type { Stack } from './support/stack.ts';
import { dropSchema, startWriteStack, vendorGet } from './writes-support.ts';

describe.runIf(hasService('postgres'))('unknown write outcomes evict the cache', () => {
  let stack: Stack & { schema: string };
  beforeAll(async () => {
    // One attempt per call, and a per-attempt timeout the injected latency outlasts.
    stack = await startWriteStack({
      world: { size: 50 },
      env: { UPSTREAM_RETRIES: '0', UPSTREAM_BREAKER_THRESHOLD: '1000', UPSTREAM_TIMEOUT_MS: '400' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    if (stack) await dropSchema(stack.schema);
  });

  it('a timed-out updateContact whose PATCH landed is read back with the new value, not the cached one', async () => {
    const contactId = stack.sandbox.world.contacts[3].id;
    const read = `{ contact(id: "${contactId}") { id firstName } }`;
    const before = await stack.query<{ contact: { firstName: string } }>(read);
    expect(before.errors).toBeUndefined();
    // Cached now: the same read costs no upstream call.
    stack.resetCounts();
    expect((await stack.query<{ contact: { firstName: string } }>(read)).data!.contact.firstName).toBe(before.data!.contact.firstName);
    expect(stack.counts().crm).toBe(0);

    const crm = stack.sandbox.server('crm');
    await crm.setKnobs({ latencyMs: 1500 });
    let update;
    try {
      update = await stack.query(`mutation { updateContact(id: "${contactId}", input: { firstName: "Settled" }) { id } }`);
    } finally {
      await crm.setKnobs({ latencyMs: 0 });
    }
    expect(update.errors?.[0].extensions?.code).toBe('WRITE_OUTCOME_UNKNOWN');
    expect(update.errors?.[0].message).toMatch(/evicted/);
    // The PATCH arrived before the gateway gave up: HubSpot holds the new name.
    expect(crm.requests.entries.some((entry) => entry.method === 'PATCH')).toBe(true);
    const path = `/crm/v3/objects/contacts/${contactId}?properties=firstname`;
    const stored = await vendorGet<{ properties: { firstname: string } }>(stack, 'crm', path);
    expect(stored.body.properties.firstname).toBe('Settled');

    const after = await stack.query<{ contact: { firstName: string } }>(read);
    expect(after.errors).toBeUndefined();
    expect(after.data!.contact.firstName).toBe('Settled');
  });

  it('a timed-out createContact that landed is found by its email, although the lookup had cached "no such contact"', async () => {
    const email = `late-${Date.now().toString(36)}@example.com`;
    const read = `{ contactByEmail(email: "${email}") { id firstName } }`;
    expect((await stack.query<{ contactByEmail: unknown }>(read)).data?.contactByEmail).toBeNull();
    stack.resetCounts();
    expect((await stack.query<{ contactByEmail: unknown }>(read)).data?.contactByEmail).toBeNull();
    expect(stack.counts().crm).toBe(0);

    const crm = stack.sandbox.server('crm');
    await crm.setKnobs({ latencyMs: 1500 });
    let created;
    try {
      created = await stack.query(`mutation { createContact(input: { email: "${email}", firstName: "Late" }) { id } }`);
    } finally {
      await crm.setKnobs({ latencyMs: 0 });
    }
    expect(created.errors?.[0].extensions?.code).toBe('WRITE_OUTCOME_UNKNOWN');
    expect(created.errors?.[0].message).toMatch(/evicted/);

    const after = await stack.query<{ contactByEmail: { firstName: string } | null }>(read);
    expect(after.errors).toBeUndefined();
    expect(after.data!.contactByEmail?.firstName).toBe('Late');
  });
});
