/**
 * A read that began before a write and is answered after it must not put the old record back
 * into the cache (found by the soak: a client read its own acknowledged write on the other
 * replica a second later and got the value from before it, from the cache). The write's
 * invalidation fences the record against reads begun before it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

describe('a read in flight across a write', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 40 } });
  });
  afterAll(async () => stack?.close());

  it('does not cache what it read: the next read shows the write', async () => {
    const contact = stack.sandbox.world.contacts[7];
    const crm = stack.sandbox.server('crm');
    // HubSpot holds its answer to the read (the record as it was before) until the write is done.
    const gate = crm.gate({ route: 'GET /crm/v3/objects/:type/:id' }).id;
    const before = stack.query<{ contact: { jobTitle: string | null } }>(`query Before { contact(id: "${contact.id}") { jobTitle } }`);
    await vi.waitFor(() => expect(crm.requests.entries.some((e) => e.route === 'GET /crm/v3/objects/:type/:id')).toBe(true), {
      timeout: 10_000,
    });
    const write = await stack.query(`mutation { updateContact(id: "${contact.id}", input: { jobTitle: "Fenced" }) { jobTitle } }`);
    expect(write.errors).toBeUndefined();
    crm.openGate(gate);
    expect((await before).data!.contact.jobTitle).not.toBe('Fenced');

    const after = await stack.query<{ contact: { jobTitle: string } }>(`query After { contact(id: "${contact.id}") { jobTitle } }`);
    expect(after.data!.contact.jobTitle).toBe('Fenced');
    expect(crm.requests.entries.find((e) => e.route === 'GET /crm/v3/objects/:type/:id')!.heldUntil).toBe('opened');
  });
});
