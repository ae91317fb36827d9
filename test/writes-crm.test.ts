/**
 * CRM mutations through the gateway against the HubSpot sandbox: each returns the record as
 * HubSpot holds it, the next read sees the write at once, bad input never reaches HubSpot,
 * and every write lands in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasService } from './support/services.ts';
import type { Stack } from './support/stack.ts';
import { dropSchema, startWriteStack } from './writes-support.ts';

describe.runIf(hasService('postgres'))('CRM mutations', () => {
  let stack: Stack & { schema: string };
  beforeAll(async () => {
    stack = await startWriteStack();
  });
  afterAll(async () => {
    await stack?.close();
    if (stack) await dropSchema(stack.schema);
  });

  it('creates a contact and reads it back through the cached contact and email lookups', async () => {
    // Warm the negative email lookup first: the write must replace it.
    const before = await stack.query<{ contactByEmail: unknown }>('{ contactByEmail(email: "new.person@example.com") { id } }');
    expect(before.data?.contactByEmail).toBeNull();
    const created = await stack.query<{ createContact: { id: string; email: string; firstName: string; lifecycleStage: string } }>(
      'mutation($input: CreateContactInput!) { createContact(input: $input) { id email firstName lifecycleStage } }',
      { input: { email: 'new.person@example.com', firstName: 'Nova', lifecycleStage: 'LEAD' } },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createContact).toMatchObject({ email: 'new.person@example.com', firstName: 'Nova', lifecycleStage: 'LEAD' });
    const id = created.data!.createContact.id;
    const after = await stack.query<{ contactByEmail: { id: string } | null; contact: { firstName: string } }>(
      `{ contactByEmail(email: "NEW.person@example.com") { id } contact(id: "${id}") { firstName } }`,
    );
    expect(after.data).toEqual({ contactByEmail: { id }, contact: { firstName: 'Nova' } });
  });

  it('updates a contact and the cached record shows the change on the next read', async () => {
    const list = await stack.query<{ contacts: { nodes: { id: string; jobTitle: string | null }[] } }>(
      '{ contacts(first: 3) { nodes { id jobTitle } } }',
    );
    const target = list.data!.contacts.nodes[0];
    const updated = await stack.query<{ updateContact: { id: string; jobTitle: string } }>(
      `mutation { updateContact(id: "${target.id}", input: { jobTitle: "Chief Tester" }) { id jobTitle } }`,
    );
    expect(updated.data!.updateContact).toEqual({ id: target.id, jobTitle: 'Chief Tester' });
    const reread = await stack.query<{ contacts: { nodes: { id: string; jobTitle: string | null }[] } }>(
      '{ contacts(first: 3) { nodes { id jobTitle } } }',
    );
    expect(reread.data!.contacts.nodes.find((n) => n.id === target.id)!.jobTitle).toBe('Chief Tester');
  });

  it('answers the next read of an updated record from HubSpot, then from the cache, until a change drops it', async () => {
    // The update's read-back is not kept in the shared cache: two writes to one record announced
    // on two replicas at once could each keep theirs, the older one last (found by the soak).
    const target = stack.sandbox.world.contacts[5];
    stack.resetCounts();
    const updated = await stack.query<{ updateContact: { id: string; jobTitle: string; email: string } }>(
      `mutation { updateContact(id: "${target.id}", input: { jobTitle: "Head of Caching" }) { id jobTitle email } }`,
    );
    expect(updated.data!.updateContact).toEqual({ id: target.id, jobTitle: 'Head of Caching', email: target.email });
    // The write and its read-back by id.
    expect(stack.counts().crm).toBe(2);

    const read = () =>
      stack.query<{ contact: { id: string; jobTitle: string; email: string } }>(`{ contact(id: "${target.id}") { id jobTitle email } }`);
    stack.resetCounts();
    expect((await read()).data!.contact).toEqual({ id: target.id, jobTitle: 'Head of Caching', email: target.email });
    expect(stack.counts().crm).toBe(1);
    stack.resetCounts();
    expect((await read()).data!.contact.jobTitle).toBe('Head of Caching');
    expect(stack.counts().crm).toBe(0);

    // A change made elsewhere (a HubSpot webhook) drops it: the next read goes to HubSpot.
    await stack.gateway.changes.publish({
      eventId: `test-${target.id}-webhook`,
      system: 'crm',
      entity: 'contact',
      id: target.id,
      action: 'updated',
      occurredAt: Date.now(),
      source: 'webhook',
    });
    await stack.query(`{ contact(id: "${target.id}") { id jobTitle } }`);
    expect(stack.counts().crm).toBe(1);
  });

  it('rejects every bad field with BAD_USER_INPUT and sends nothing upstream', async () => {
    stack.resetCounts();
    const result = await stack.query(
      'mutation { createContact(input: { email: "not-an-email", phone: "call me", ownerId: "abc" }) { id } }',
    );
    expect(result.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { 'input.email': expect.any(String), 'input.phone': expect.any(String), 'input.ownerId': expect.any(String) },
    });
    const noChange = await stack.query('mutation { updateDeal(id: "12", input: {}) { id } }');
    expect(noChange.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { input: expect.any(String) } });
    const badId = await stack.query('mutation { archiveContact(id: "x-1") { id } }');
    expect(badId.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { id: expect.any(String) } });
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });

  it('maps a duplicate email to UPSTREAM_CONFLICT in safe words', async () => {
    const list = await stack.query<{ contacts: { nodes: { email: string }[] } }>('{ contacts(first: 1) { nodes { email } } }');
    const result = await stack.query(`mutation { createContact(input: { email: "${list.data!.contacts.nodes[0].email}" }) { id } }`);
    expect(result.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_CONFLICT', service: 'crm' });
  });

  it('creates a company and a deal linked to a contact, moves the deal, and the links read back', async () => {
    const contacts = await stack.query<{ contacts: { nodes: { id: string }[] } }>('{ contacts(first: 1) { nodes { id } } }');
    const contactId = contacts.data!.contacts.nodes[0].id;
    const company = await stack.query<{ createCompany: { id: string; name: string; domain: string } }>(
      'mutation { createCompany(input: { name: "Writes Inc", domain: "writes.example", numberOfEmployees: 12 }) { id name domain } }',
    );
    expect(company.data!.createCompany).toMatchObject({ name: 'Writes Inc', domain: 'writes.example' });
    const companyId = company.data!.createCompany.id;
    // Warm the contact's deals so the write has a cached link to invalidate.
    await stack.query(`{ contact(id: "${contactId}") { deals { id } } }`);
    const deal = await stack.query<{ createDeal: { id: string; name: string; stage: string; amount: number; contacts: { id: string }[] } }>(
      `mutation { createDeal(input: { name: "Big one", amount: 1200.5, stage: CONTRACT_SENT, contactIds: ["${contactId}"], companyIds: ["${companyId}"] }) { id name stage amount contacts { id } } }`,
    );
    expect(deal.errors).toBeUndefined();
    expect(deal.data!.createDeal).toMatchObject({ name: 'Big one', stage: 'CONTRACT_SENT', amount: 1200.5, contacts: [{ id: contactId }] });
    const dealId = deal.data!.createDeal.id;
    const links = await stack.query<{ contact: { deals: { id: string }[] }; company: { deals: { id: string }[] } }>(
      `{ contact(id: "${contactId}") { deals { id } } company(id: "${companyId}") { deals { id } } }`,
    );
    expect(links.data!.contact.deals.map((d) => d.id)).toContain(dealId);
    expect(links.data!.company.deals.map((d) => d.id)).toEqual([dealId]);

    const moved = await stack.query<{ updateDeal: { stage: string } }>(
      `mutation { updateDeal(id: "${dealId}", input: { stage: CLOSED_WON }) { stage } }`,
    );
    expect(moved.data!.updateDeal.stage).toBe('CLOSED_WON');
    const reread = await stack.query<{ deal: { stage: string } }>(`{ deal(id: "${dealId}") { stage } }`);
    expect(reread.data!.deal.stage).toBe('CLOSED_WON');

    const unlinked = await stack.query<{ disassociate: { associated: boolean } }>(
      `mutation { disassociate(input: { fromType: DEAL, fromId: "${dealId}", toType: COMPANY, toId: "${companyId}" }) { associated } }`,
    );
    expect(unlinked.data!.disassociate.associated).toBe(false);
    const after = await stack.query<{ company: { deals: { id: string }[] } }>(`{ company(id: "${companyId}") { deals { id } } }`);
    expect(after.data!.company.deals).toEqual([]);
    const relinked = await stack.query<{ associate: { associated: boolean } }>(
      `mutation { associate(input: { fromType: COMPANY, fromId: "${companyId}", toType: DEAL, toId: "${dealId}" }) { associated } }`,
    );
    expect(relinked.data!.associate.associated).toBe(true);
    const again = await stack.query<{ company: { deals: { id: string }[] } }>(`{ company(id: "${companyId}") { deals { id } } }`);
    expect(again.data!.company.deals).toEqual([{ id: dealId }]);
  });

  it('archives a contact: the next read answers NOT_FOUND and HubSpot holds it archived', async () => {
    const created = await stack.query<{ createContact: { id: string } }>(
      'mutation { createContact(input: { email: "short.lived@example.com" }) { id } }',
    );
    const id = created.data!.createContact.id;
    await stack.query(`{ contact(id: "${id}") { id } }`);
    const archived = await stack.query<{ archiveContact: { id: string; archived: boolean } }>(
      `mutation { archiveContact(id: "${id}") { id archived } }`,
    );
    expect(archived.data!.archiveContact).toEqual({ id, archived: true });
    const read = await stack.query(`{ contact(id: "${id}") { id } }`);
    expect(read.errors![0].extensions?.code).toBe('NOT_FOUND');
  });
});
