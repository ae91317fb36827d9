/**
 * A record created with links (`createDeal(contactIds:)`) whose link cannot be made must not be
 * left behind, unlinked, under an answer that says the write failed (found by the soak: a deal
 * answered `UPSTREAM_UNAVAILABLE` that HubSpot held). A link failing for a moment is made
 * again; one that cannot be made undoes the creation; when even the undo fails, the answer
 * says the record was created (`writeApplied`).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCrmEmulator } from '@switchboard/sandbox';
import { startStack, type Stack } from './support/stack.ts';

const DEAL_CREATE = 'POST /crm/v3/objects/:type';
const ASSOCIATE = 'PUT /crm/v4/objects/:fromType/:fromId/associations/default/:toType/:toId';
const ARCHIVE = 'DELETE /crm/v3/objects/:type/:id';

describe('createDeal whose contact link fails', () => {
  let stack: Stack;
  beforeAll(async () => {
    // No retries inside the upstream client: each scripted 503 is one failed attempt of the command's own.
    stack = await startStack({ world: { size: 40 }, env: { UPSTREAM_RETRIES: '0' } });
  });
  afterAll(async () => stack?.close());

  const crm = () => stack.sandbox.server('crm');
  const dealsNamed = (name: string) =>
    (crm().vendor as ReturnType<typeof createCrmEmulator>).store.tables.deals.all.filter((deal) => deal.properties.dealname === name);
  const create = (name: string, contactId: string) =>
    stack.query<{ createDeal: { id: string; contacts: { id: string }[] } | null }>(
      `mutation { createDeal(input: { name: "${name}", amount: 10, stage: APPOINTMENT_SCHEDULED, contactIds: ["${contactId}"] }) { id contacts { id } } }`,
    );
  /** HubSpot answers the create; the next `failures` requests after it are answered 503. */
  async function failAfterCreate(name: string, contactId: string, failures: number) {
    const gate = crm().gate({ route: DEAL_CREATE, match: name }).id;
    const answer = create(name, contactId);
    // Logged once HubSpot has made the deal, while its answer is held.
    await vi.waitFor(() => expect(crm().requests.entries.some((e) => e.route === DEAL_CREATE && e.body?.includes(name))).toBe(true));
    crm().script(Array.from({ length: failures }, () => ({ status: 503, body: { status: 'error', message: 'unavailable' } })));
    crm().openGate(gate);
    return answer;
  }
  const routesAfterCreate = () => {
    const entries = crm().requests.entries;
    const from = entries.findLastIndex((e) => e.route === DEAL_CREATE);
    return entries.slice(from + 1).map((e) => `${e.route} ${e.status}`);
  };

  it('refuses a link to a contact that does not exist and leaves no deal', async () => {
    const answer = await create('Linked to nobody', '99999999');

    expect(answer.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(answer.errors?.[0]?.extensions?.writeApplied).toBeUndefined();
    expect(dealsNamed('Linked to nobody').map((deal) => deal.archived)).toEqual([true]);
  });

  it('makes a link that failed for a moment again, and answers the deal linked', async () => {
    const contact = stack.sandbox.world.contacts[2];
    const answer = await failAfterCreate('Linked on the second try', contact.id, 1);

    expect(answer.errors).toBeUndefined();
    expect(answer.data!.createDeal!.contacts).toEqual([{ id: contact.id }]);
    expect(routesAfterCreate().slice(0, 2)).toEqual([`${ASSOCIATE} 503`, `${ASSOCIATE} 200`]);
    expect(dealsNamed('Linked on the second try').map((deal) => deal.archived)).toEqual([false]);
  });

  it('undoes the creation when the link keeps failing, and answers the failure', async () => {
    const contact = stack.sandbox.world.contacts[3];
    const answer = await failAfterCreate('Never linked', contact.id, 4);

    expect(answer.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(answer.errors?.[0]?.extensions?.writeApplied).toBeUndefined();
    expect(routesAfterCreate()).toEqual([...Array(4).fill(`${ASSOCIATE} 503`), `${ARCHIVE} 204`]);
    expect(dealsNamed('Never linked').map((deal) => deal.archived)).toEqual([true]);
  });

  it('says the deal was created when neither the link nor the undo can be made', async () => {
    const contact = stack.sandbox.world.contacts[4];
    const answer = await failAfterCreate('Left unlinked', contact.id, 8);

    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', writeApplied: true });
    expect(answer.errors?.[0]?.message).toMatch(
      /The write was applied \(deal \d+\), but linking it \(contactIds\) and then archiving it failed/,
    );
    expect(dealsNamed('Left unlinked').map((deal) => deal.archived)).toEqual([false]);
  });
});
