/**
 * The flagship query: 50 contacts joined across the three systems. Asserts the joined data
 * against the seed world and the upstream cost counted at the sandbox.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

const W1 = readFileSync(new URL('../documents/W1ContactsWithLinks.graphql', import.meta.url), 'utf8');

interface W1Contact {
  id: string;
  email: string;
  company: { id: string; name: string } | null;
  owner: { id: string; email: string; chatUser: { id: string; name: string } | null } | null;
  billingCustomer: {
    id: string;
    email: string;
    invoices: { id: string; status: string; amountDue: { amount: number; currency: string; formatted: string } }[];
  } | null;
}

describe('W1: the first 50 contacts with company, owner → chat user, billing customer and open invoices', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  let cold: Record<string, number>;
  let contacts: W1Contact[];

  it('costs at most 14 upstream requests on a cold cache: CRM 3, chat 1, billing at most 10', async () => {
    stack.resetCounts();
    const result = await stack.query<{ contacts: { nodes: W1Contact[] } }>(W1);
    expect(result.errors).toBeUndefined();
    contacts = result.data!.contacts.nodes;
    expect(contacts).toHaveLength(50);
    cold = stack.counts();
    expect(cold.crm).toBe(3);
    expect(cold.chat).toBe(1);
    expect(cold.billing).toBeLessThanOrEqual(10);
    expect(cold.crm + cold.chat + cold.billing).toBeLessThanOrEqual(14);
  });

  it('costs zero upstream requests when repeated within the TTL', async () => {
    stack.resetCounts();
    const result = await stack.query<{ contacts: { nodes: W1Contact[] } }>(W1);
    expect(result.errors).toBeUndefined();
    expect(result.data!.contacts.nodes).toEqual(contacts);
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });

  it('joins each contact to the company and owner the CRM holds', () => {
    const world = stack.sandbox.world;
    for (const contact of contacts) {
      const seeded = world.contacts.find((c) => c.id === contact.id)!;
      expect(contact.email).toBe(seeded.email);
      expect(contact.company?.id ?? null).toBe(seeded.companyId);
      if (seeded.companyId) expect(contact.company!.name).toBe(world.companies.find((c) => c.id === seeded.companyId)!.name);
      expect(contact.owner?.id).toBe(seeded.ownerId);
    }
  });

  it("links every owner to the Slack user with the owner's email, whatever its casing", () => {
    const world = stack.sandbox.world;
    for (const contact of contacts) {
      const user = world.chatUsers.find((u) => u.ownerId === contact.owner!.id)!;
      expect(contact.owner!.chatUser?.id).toBe(user.id);
    }
  });

  it('links each contact to the customer carrying its hubspot_contact_id', () => {
    const world = stack.sandbox.world;
    let linked = 0;
    for (const contact of contacts) {
      const viaMetadata = world.customers.find((c) => c.contactId === contact.id && c.linkedByMetadata);
      if (viaMetadata) linked++;
      expect(contact.billingCustomer?.id ?? null).toBe(viaMetadata?.id ?? null);
    }
    expect(linked).toBe(40);
  });

  it('falls back to an unambiguous, case-insensitive email match for customers without the metadata link', async () => {
    const world = stack.sandbox.world;
    const emailOnly = world.customers.filter((c) => c.contactId !== null && !c.linkedByMetadata);
    expect(emailOnly.length).toBeGreaterThan(0);
    for (const customer of emailOnly) {
      const contact = world.contacts.find((c) => c.id === customer.contactId)!;
      const sameEmail = world.customers.filter((c) => c.email.toLowerCase() === contact.email.toLowerCase());
      const result = await stack.query<{ contact: { billingCustomer: { id: string } | null } }>(
        'query ($id: ID!) { contact(id: $id) { billingCustomer { id } } }',
        { id: contact.id },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.contact.billingCustomer?.id ?? null).toBe(sameEmail.length === 1 ? customer.id : null);
    }
  });

  it('returns only open invoices, with money formatted from minor units', () => {
    const invoices = contacts.flatMap((c) => c.billingCustomer?.invoices ?? []);
    expect(invoices.length).toBeGreaterThan(0);
    for (const invoice of invoices) {
      expect(invoice.status).toBe('OPEN');
      expect(Number.isInteger(invoice.amountDue.amount)).toBe(true);
      expect(invoice.amountDue.formatted).toMatch(/\d/);
    }
  });
});
