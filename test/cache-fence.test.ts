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
  it('does not cache the records of a list page in flight across a write (billing)', async () => {
    const customer = stack.sandbox.world.customers[0];
    const billing = stack.sandbox.server('billing');
    // Stripe holds its answer to the page (the customer as it was before) until the write is done.
    const gate = billing.gate({ route: 'GET /v1/customers' }).id;
    const page = stack.query<{ customers: { nodes: { id: string; name: string | null }[] } }>(
      `query Page { customers(first: 100) { nodes { id name } } }`,
    );
    await vi.waitFor(() => expect(billing.requests.entries.some((e) => e.route === 'GET /v1/customers')).toBe(true), { timeout: 10_000 });
    const write = await stack.query(`mutation { updateCustomer(id: "${customer.id}", input: { name: "Fenced customer" }) { name } }`);
    expect(write.errors).toBeUndefined();
    billing.openGate(gate);
    const listed = (await page).data!.customers.nodes.find((node) => node.id === customer.id);
    expect(listed?.name).not.toBe('Fenced customer');

    const after = await stack.query<{ customer: { name: string } }>(`query After { customer(id: "${customer.id}") { name } }`);
    expect(after.data!.customer.name).toBe('Fenced customer');
    expect(billing.requests.entries.find((e) => e.route === 'GET /v1/customers')!.heldUntil).toBe('opened');
  });

  it('does not cache the records of a list page in flight across a write (CRM)', async () => {
    const contact = stack.sandbox.world.contacts[8];
    const crm = stack.sandbox.server('crm');
    const gate = crm.gate({ route: 'GET /crm/v3/objects/:type' }).id;
    const page = stack.query<{ contacts: { nodes: { id: string; jobTitle: string | null }[] } }>(
      `query Page { contacts(first: 50) { nodes { id jobTitle } } }`,
    );
    await vi.waitFor(() => expect(crm.requests.entries.some((e) => e.route === 'GET /crm/v3/objects/:type')).toBe(true), {
      timeout: 10_000,
    });
    const write = await stack.query(
      `mutation { updateContact(id: "${contact.id}", input: { jobTitle: "Fenced in a page" }) { jobTitle } }`,
    );
    expect(write.errors).toBeUndefined();
    crm.openGate(gate);
    const listed = (await page).data!.contacts.nodes.find((node) => node.id === contact.id);
    expect(listed?.jobTitle).not.toBe('Fenced in a page');

    const after = await stack.query<{ contact: { jobTitle: string } }>(`query After { contact(id: "${contact.id}") { jobTitle } }`);
    expect(after.data!.contact.jobTitle).toBe('Fenced in a page');
  });
});
