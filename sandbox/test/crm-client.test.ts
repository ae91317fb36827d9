/**
 * HubSpot's own Node client (@hubspot/api-client 13.5.0) against the CRM emulator: if the
 * client accepts these responses, connectors written for the real API will too.
 */
import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum, FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_TOKEN, type CrmHarness, startCrm } from './crm-helpers.ts';

let crm: CrmHarness;
let hubspot: Client;

beforeAll(async () => {
  crm = await startCrm(200);
  hubspot = new Client({ accessToken: CRM_TOKEN, basePath: crm.url });
});

afterAll(async () => {
  await crm?.close();
});

describe('@hubspot/api-client against the emulator', () => {
  it('lists a page of contacts with getPage and follows paging.next.after', async () => {
    const first = await hubspot.crm.contacts.basicApi.getPage(5, undefined, ['email', 'lifecyclestage'], undefined, ['companies']);
    expect(first.results).toHaveLength(5);
    expect(first.results[0].properties.email).toBe(crm.world.contacts[0].email);
    expect(first.results[0].createdAt).toBeInstanceOf(Date);
    expect(first.results[0].associations?.companies.results[0].type).toBe('contact_to_company');
    const second = await hubspot.crm.contacts.basicApi.getPage(5, first.paging?.next?.after);
    expect(second.results[0].id).toBe(crm.world.contacts[5].id);
  });

  it('reads one contact with getById, also by email', async () => {
    const c = crm.world.contacts[3];
    const byId = await hubspot.crm.contacts.basicApi.getById(c.id, ['firstname', 'jobtitle']);
    expect(byId.properties.firstname).toBe(c.firstName);
    const byEmail = await hubspot.crm.contacts.basicApi.getById(c.email, undefined, undefined, undefined, false, 'email');
    expect(byEmail.id).toBe(c.id);
  });

  it('creates and updates a contact', async () => {
    const created = await hubspot.crm.contacts.basicApi.create({
      properties: { email: 'client@example.org', firstname: 'Client' },
      associations: [
        {
          to: { id: crm.world.companies[0].id },
          types: [{ associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: 279 }],
        },
      ],
    });
    expect(created.properties.email).toBe('client@example.org');
    const updated = await hubspot.crm.contacts.basicApi.update(created.id, { properties: { lifecyclestage: 'customer' } });
    expect(updated.properties.lifecyclestage).toBe('customer');
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
  });

  it('turns the 409 for a duplicate email into an ApiException with HubSpot’s body', async () => {
    const error = await hubspot.crm.contacts.basicApi
      .create({ properties: { email: crm.world.contacts[0].email }, associations: [] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 409,
      body: { category: 'CONFLICT', message: `Contact already exists. Existing ID: ${crm.world.contacts[0].id}` },
    });
  });

  it('batch-reads contacts, including a 207 with errors', async () => {
    const ids = crm.world.contacts.slice(0, 3).map((c) => c.id);
    const ok = await hubspot.crm.contacts.batchApi.read({
      inputs: ids.map((id) => ({ id })),
      properties: ['email'],
      propertiesWithHistory: [],
    });
    expect(ok.results.map((r) => r.id)).toEqual(ids);
    const partial = await hubspot.crm.contacts.batchApi.read({
      inputs: [{ id: ids[0] }, { id: '42' }],
      properties: ['email'],
      propertiesWithHistory: [],
    });
    expect(partial.results).toHaveLength(1);
    expect('numErrors' in partial && partial.numErrors).toBe(1);
  });

  it('searches contacts with filters, sorts and paging', async () => {
    const res = await hubspot.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: FilterOperatorEnum.Eq, value: 'lead' }] }],
      sorts: ['-createdate'],
      properties: ['email', 'lifecyclestage'],
      limit: 5,
      after: '0',
    });
    expect(res.total).toBe(crm.world.contacts.filter((c) => c.lifecycleStage === 'lead').length);
    expect(res.results.every((r) => r.properties.lifecyclestage === 'lead')).toBe(true);
    expect(res.paging?.next?.after).toBe('5');
  });

  it('reads associations v4 in a batch and lists owners', async () => {
    const companies = crm.world.companies.slice(0, 3).map((c) => ({ id: c.id }));
    const assoc = await hubspot.crm.associations.v4.batchApi.getPage('companies', 'contacts', { inputs: companies });
    expect(assoc.results.length).toBeGreaterThan(0);
    expect(assoc.results[0].to[0].associationTypes[0].category).toBe('HUBSPOT_DEFINED');
    const owners = await hubspot.crm.owners.ownersApi.getPage(crm.world.owners[0].email);
    expect(owners.results.map((o) => o.id)).toEqual([crm.world.owners[0].id]);
    const page = await hubspot.crm.associations.v4.basicApi.getPage('contacts', crm.world.contacts[0].id, 'companies');
    expect(page.results[0].associationTypes.map((t) => t.typeId)).toEqual([1, 279]);
  });
});
