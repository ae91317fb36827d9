/**
 * Changes made "in HubSpot's UI" through `POST /__sandbox/edit`, and the single change
 * stream (`emulator.events`, `GET /__sandbox/changes`) that API writes and admin edits share.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CrmChangeEvent } from '../src/crm/index.ts';
import { type CrmHarness, type Json, startCrm } from './crm-helpers.ts';

let crm: CrmHarness;
let events: CrmChangeEvent[] = [];

beforeAll(async () => {
  crm = await startCrm(200);
  crm.emulator.events.on('change', (e) => events.push(e));
});

afterAll(async () => {
  await crm?.close();
});

beforeEach(() => {
  events = [];
});

describe('admin edits', () => {
  it('changes what the API returns, bumps lastmodifieddate and emits a CRM propertyChange', async () => {
    const c = crm.world.contacts[0];
    const before = await crm.api('GET', `/crm/v3/objects/contacts/${c.id}?properties=lifecyclestage`);
    const edit = await crm.admin('POST', '/__sandbox/edit', {
      objectType: 'contacts',
      id: c.id,
      properties: { lifecyclestage: 'evangelist' },
    });
    expect(edit.status).toBe(200);
    expect(edit.body.ok).toBe(true);
    expect(edit.body.object.properties.lifecyclestage).toBe('evangelist');

    const after = await crm.api('GET', `/crm/v3/objects/contacts/${c.id}?properties=lifecyclestage`);
    expect(after.body.properties.lifecyclestage).toBe('evangelist');
    expect(Date.parse(after.body.updatedAt)).toBeGreaterThan(Date.parse(before.body.updatedAt));
    expect(after.body.properties.lastmodifieddate).toBe(after.body.updatedAt);

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'propertyChange',
      subscriptionType: 'contact.propertyChange',
      objectType: 'contacts',
      objectTypeId: '0-1',
      objectId: Number(c.id),
      propertyName: 'lifecyclestage',
      propertyValue: 'evangelist',
      changeSource: 'CRM',
      sourceId: `userId:${crm.world.owners[0].userId}`,
    });
    expect(events[0].occurredAt).toBe(Date.parse(after.body.updatedAt));
    expect(events[0].previous?.properties.lifecyclestage).toBe(c.lifecycleStage);
    expect(events[0].object.properties.lifecyclestage).toBe('evangelist');
    expect(edit.body.events).toEqual(JSON.parse(JSON.stringify(events)));
  });

  it('emits one propertyChange per changed property and none for unchanged values', async () => {
    const company = crm.world.companies[0];
    await crm.admin('POST', '/__sandbox/edit', {
      objectType: 'companies',
      id: company.id,
      properties: { city: 'Reykjavik', name: company.name, numberofemployees: 12 },
    });
    expect(events.map((e) => [e.subscriptionType, e.propertyName, e.propertyValue])).toEqual([
      ['company.propertyChange', 'city', 'Reykjavik'],
      ['company.propertyChange', 'numberofemployees', '12'],
    ]);
  });

  it('ignores primary on links that cannot be primary (deal → contact keeps the deal’s primary company)', async () => {
    const deal = crm.world.deals.find((d) => d.companyId) as (typeof crm.world.deals)[number];
    const contact = crm.world.contacts.find((c) => !deal.contactIds.includes(c.id)) as (typeof crm.world.contacts)[number];
    await crm.admin('POST', '/__sandbox/edit', {
      action: 'associate',
      objectType: 'deals',
      id: deal.id,
      toObjectType: 'contacts',
      toId: contact.id,
      primary: true,
    });
    const companies = await crm.api('GET', `/crm/v4/objects/deals/${deal.id}/associations/companies`);
    expect(companies.body.results[0].associationTypes.map((t: Json) => t.typeId)).toEqual([5, 341]);
    const contacts = await crm.api('GET', `/crm/v4/objects/deals/${deal.id}/associations/contacts`);
    const added = contacts.body.results.find((r: Json) => String(r.toObjectId) === contact.id);
    expect(added.associationTypes.map((t: Json) => t.typeId)).toEqual([3]);
  });

  it('addresses a contact by email and goes through HubSpot’s validation', async () => {
    const c = crm.world.contacts[1];
    const ok = await crm.admin('POST', '/__sandbox/edit', {
      objectType: '0-1',
      idProperty: 'email',
      id: c.email,
      properties: { firstname: 'Edited' },
    });
    expect(ok.status).toBe(200);
    const bad = await crm.admin('POST', '/__sandbox/edit', { objectType: 'contacts', id: c.id, properties: { lifecyclestage: 'royalty' } });
    expect(bad.status).toBe(400);
    expect(bad.body.hubspot.category).toBe('VALIDATION_ERROR');
    const missing = await crm.admin('POST', '/__sandbox/edit', { objectType: 'contacts', id: '1', properties: { firstname: 'X' } });
    expect(missing.status).toBe(404);
    expect((await crm.admin('POST', '/__sandbox/edit', { objectType: 'tickets', id: '1' })).status).toBe(400);
  });

  it('creates, associates and archives records, each with its event', async () => {
    const company = crm.world.companies[1];
    const created = await crm.admin('POST', '/__sandbox/edit', {
      action: 'create',
      objectType: 'deals',
      properties: { dealname: 'Made in the UI', amount: '500', dealstage: 'qualifiedtobuy' },
      associations: [{ toObjectType: 'companies', toId: company.id, primary: true }],
    });
    expect(created.status).toBe(200);
    const id = created.body.object.id;
    expect(created.body.object.associations.companies.results.map((r: Json) => r.type)).toEqual([
      'deal_to_company',
      'deal_to_company_unlabeled',
    ]);
    const contact = crm.world.contacts[2];
    await crm.admin('POST', '/__sandbox/edit', {
      action: 'associate',
      objectType: 'deals',
      id,
      toObjectType: 'contacts',
      toId: contact.id,
    });
    await crm.admin('POST', '/__sandbox/edit', { action: 'archive', objectType: 'deals', id });
    expect((await crm.api('GET', `/crm/v3/objects/deals/${id}`)).status).toBe(404);
    expect(events.map((e) => [e.subscriptionType, e.associationType ?? null, e.changeSource])).toEqual([
      ['deal.creation', null, 'CRM'],
      ['deal.associationChange', 'DEAL_TO_COMPANY', 'CRM'],
      ['company.associationChange', 'COMPANY_TO_DEAL', 'CRM'],
      ['deal.associationChange', 'DEAL_TO_CONTACT', 'CRM'],
      ['contact.associationChange', 'CONTACT_TO_DEAL', 'CRM'],
      ['deal.deletion', null, 'CRM'],
    ]);
    expect(events[1]).toMatchObject({
      fromObjectId: Number(id),
      toObjectId: Number(company.id),
      associationRemoved: false,
      isPrimaryAssociation: true,
    });
  });
});

describe('the change stream', () => {
  it('carries API writes as INTEGRATION changes through the same path', async () => {
    const created = await crm.api('POST', '/crm/v3/objects/contacts', { properties: { email: 'stream@example.org', firstname: 'Stream' } });
    await crm.api('PATCH', `/crm/v3/objects/contacts/${created.body.id}`, { properties: { firstname: 'Streamed' } });
    await crm.api('PUT', `/crm/v4/objects/contacts/${created.body.id}/associations/default/companies/${crm.world.companies[0].id}`);
    await crm.api('DELETE', `/crm/v4/objects/contacts/${created.body.id}/associations/companies/${crm.world.companies[0].id}`);
    await crm.api('DELETE', `/crm/v3/objects/contacts/${created.body.id}`);
    expect(events.map((e) => [e.subscriptionType, e.propertyName ?? e.associationType ?? null, e.associationRemoved ?? null])).toEqual([
      ['contact.creation', null, null],
      ['contact.propertyChange', 'firstname', null],
      ['contact.associationChange', 'CONTACT_TO_COMPANY', false],
      ['company.associationChange', 'COMPANY_TO_CONTACT', false],
      ['contact.associationChange', 'CONTACT_TO_COMPANY', true],
      ['company.associationChange', 'COMPANY_TO_CONTACT', true],
      ['contact.deletion', null, null],
    ]);
    expect(events.every((e) => e.changeSource === 'INTEGRATION' && e.objectId > 0)).toBe(true);
    expect(events.at(-1)?.object.archived).toBe(true);
    const ids = events.map((e) => e.eventId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('keeps the change log readable over the admin API', async () => {
    const { body: start } = await crm.admin('GET', '/__sandbox/changes?after=999999999');
    await crm.admin('POST', '/__sandbox/edit', { objectType: 'deals', id: crm.world.deals[0].id, properties: { dealstage: 'closedlost' } });
    const { body } = await crm.admin('GET', `/__sandbox/changes?after=${start.lastEventId}`);
    expect(body.changes).toHaveLength(1);
    expect(body.changes[0]).toMatchObject({
      subscriptionType: 'deal.propertyChange',
      propertyName: 'dealstage',
      propertyValue: 'closedlost',
    });
    expect(body.lastEventId).toBe(body.changes[0].eventId);
  });

  it('restores the seed on reset scope=all', async () => {
    const c = crm.world.contacts[5];
    await crm.admin('POST', '/__sandbox/edit', { objectType: 'contacts', id: c.id, properties: { firstname: 'Temporary' } });
    await crm.admin('POST', '/__sandbox/reset?scope=all');
    const res = await crm.api('GET', `/crm/v3/objects/contacts/${c.id}`);
    expect(res.body.properties.firstname).toBe(c.firstName);
    expect((await crm.admin('GET', '/__sandbox/changes')).body.changes).toEqual([]);
  });
});
