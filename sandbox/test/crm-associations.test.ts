/**
 * Associations (v3 inline, v4 list / batch read / writes) and owners over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmHarness, type Json, startCrm } from './crm-helpers.ts';

let crm: CrmHarness;

beforeAll(async () => {
  crm = await startCrm(200);
});

afterAll(async () => {
  await crm?.close();
});

const membersOf = (companyId: string) => crm.world.contacts.filter((c) => c.companyId === companyId).map((c) => c.id);

describe('inline associations on v3 reads', () => {
  it('lists each contact’s primary company twice (primary and unlabeled) and its deals', async () => {
    const res = await crm.api('GET', '/crm/v3/objects/contacts?limit=100&associations=companies,deals');
    for (const r of res.body.results) {
      const seed = crm.world.contacts.find((c) => c.id === r.id);
      if (!seed?.companyId) {
        expect(r.associations?.companies).toBeUndefined();
        continue;
      }
      expect(r.associations.companies.results).toEqual([
        { id: seed.companyId, type: 'contact_to_company' },
        { id: seed.companyId, type: 'contact_to_company_unlabeled' },
      ]);
      const deals = crm.world.deals.filter((d) => d.contactIds.includes(r.id)).map((d) => d.id);
      if (deals.length === 0) expect(r.associations.deals).toBeUndefined();
      else expect(r.associations.deals.results.map((a: Json) => a.id)).toEqual(deals);
    }
  });

  it('accepts object type ids in associations=', async () => {
    const deal = crm.world.deals[0];
    const res = await crm.api('GET', `/crm/v3/objects/0-3/${deal.id}?associations=0-2`);
    expect(res.body.associations.companies.results[0]).toEqual({ id: deal.companyId, type: 'deal_to_company' });
  });
});

describe('associations v4', () => {
  it('lists a contact’s company with typeIds 1 (Primary) and 279, toObjectId as a number', async () => {
    const c = crm.world.contacts.find((x) => x.companyId) as (typeof crm.world.contacts)[number];
    const res = await crm.api('GET', `/crm/v4/objects/contacts/${c.id}/associations/companies`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        {
          toObjectId: Number(c.companyId),
          associationTypes: [
            { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' },
            { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
          ],
        },
      ],
    });
  });

  it('pages a company’s contacts with after until the end', async () => {
    const company = crm.world.companies.find((x) => membersOf(x.id).length >= 3) as (typeof crm.world.companies)[number];
    const seen: number[] = [];
    let after = '';
    for (;;) {
      const res = await crm.api(
        'GET',
        `/crm/v4/objects/companies/${company.id}/associations/contacts?limit=2${after ? `&after=${after}` : ''}`,
      );
      seen.push(...res.body.results.map((r: Json) => r.toObjectId));
      expect(res.body.results.every((r: Json) => r.associationTypes.some((t: Json) => t.typeId === 280))).toBe(true);
      if (!res.body.paging) break;
      after = res.body.paging.next.after;
    }
    expect(seen.map(String)).toEqual(membersOf(company.id));
  });

  it('batch-reads many companies’ contacts; those without any are reported as errors in a 207', async () => {
    const companies = crm.world.companies.slice(0, 10);
    const withMembers = companies.filter((c) => membersOf(c.id).length > 0);
    const res = await crm.api('POST', '/crm/v4/associations/companies/contacts/batch/read', {
      inputs: [...companies.map((c) => ({ id: c.id })), { id: '1' }],
    });
    expect(res.status).toBe(207);
    expect(res.body.status).toBe('COMPLETE');
    expect(res.body.results).toHaveLength(withMembers.length);
    for (const r of res.body.results) {
      expect(r.to.map((t: Json) => String(t.toObjectId))).toEqual(membersOf(r.from.id));
      expect(typeof r.to[0].toObjectId).toBe('number');
    }
    expect(res.body.numErrors).toBe(companies.length - withMembers.length + 1);
    expect(res.body.errors.at(-1)).toMatchObject({
      status: 'error',
      subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
      context: { fromObjectId: ['1'], toObjectType: ['contact'] },
    });
  });

  it('answers 200 without errors when every input has associations, and rejects 1001 inputs', async () => {
    const deals = crm.world.deals.filter((d) => d.companyId).slice(0, 5);
    const ok = await crm.api('POST', '/crm/v4/associations/deals/companies/batch/read', { inputs: deals.map((d) => ({ id: d.id })) });
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.results.map((r: Json) => [r.from.id, String(r.to[0].toObjectId)])).toEqual(deals.map((d) => [d.id, d.companyId]));
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: String(30_000_001 + i) }));
    const tooMany = await crm.api('POST', '/crm/v4/associations/deals/companies/batch/read', { inputs: many });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.category).toBe('VALIDATION_ERROR');
  });

  it('creates a default (unlabeled) association and removes it again', async () => {
    const contact = crm.world.contacts.find(
      (c) => !crm.world.deals.some((d) => d.contactIds.includes(c.id)),
    ) as (typeof crm.world.contacts)[number];
    const deal = crm.world.deals[5];
    const put = await crm.api('PUT', `/crm/v4/objects/contacts/${contact.id}/associations/default/deals/${deal.id}`);
    expect(put.status).toBe(200);
    expect(put.body.results).toEqual([
      { from: { id: contact.id }, to: { id: deal.id }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 4 } },
      { from: { id: deal.id }, to: { id: contact.id }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 } },
    ]);
    const listed = await crm.api('GET', `/crm/v4/objects/deals/${deal.id}/associations/contacts`);
    expect(listed.body.results.map((r: Json) => String(r.toObjectId))).toContain(contact.id);
    expect((await crm.api('DELETE', `/crm/v4/objects/contacts/${contact.id}/associations/deals/${deal.id}`)).status).toBe(204);
    const after = await crm.api('GET', `/crm/v4/objects/contacts/${contact.id}/associations/deals`);
    expect(after.body.results).toEqual([]);
  });

  it('moves the primary company when a labelled association sets a new one', async () => {
    const contact = crm.world.contacts.find((c) => c.companyId) as (typeof crm.world.contacts)[number];
    const other = crm.world.companies.find((c) => c.id !== contact.companyId) as (typeof crm.world.companies)[number];
    const put = await crm.api('PUT', `/crm/v4/objects/contacts/${contact.id}/associations/companies/${other.id}`, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 },
    ]);
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ fromObjectTypeId: '0-1', toObjectTypeId: '0-2', toObjectId: Number(other.id), labels: ['Primary'] });
    const res = await crm.api('GET', `/crm/v4/objects/contacts/${contact.id}/associations/companies`);
    const typesOf = (id: string) =>
      res.body.results.find((r: Json) => String(r.toObjectId) === id).associationTypes.map((t: Json) => t.typeId);
    expect(typesOf(other.id)).toEqual([1, 279]);
    expect(typesOf(contact.companyId as string)).toEqual([279]);
    const wrong = await crm.api('PUT', `/crm/v4/objects/contacts/${contact.id}/associations/companies/${other.id}`, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 },
    ]);
    expect(wrong.status).toBe(400);
  });

  it('associates and archives in batches', async () => {
    const company = crm.world.companies[3];
    const deals = crm.world.deals.filter((d) => d.companyId !== company.id).slice(0, 3);
    const made = await crm.api('POST', '/crm/v4/associations/companies/deals/batch/associate/default', {
      inputs: deals.map((d) => ({ from: { id: company.id }, to: { id: d.id } })),
    });
    expect(made.status).toBe(200);
    expect(made.body.results).toHaveLength(6);
    const listed = await crm.api('GET', `/crm/v4/objects/companies/${company.id}/associations/deals`);
    for (const d of deals) expect(listed.body.results.map((r: Json) => String(r.toObjectId))).toContain(d.id);
    const archived = await crm.api('POST', '/crm/v4/associations/companies/deals/batch/archive', {
      inputs: [{ from: { id: company.id }, to: deals.map((d) => ({ id: d.id })) }],
    });
    expect(archived.status).toBe(204);
    const after = await crm.api('GET', `/crm/v4/objects/companies/${company.id}/associations/deals`);
    for (const d of deals) expect(after.body.results.map((r: Json) => String(r.toObjectId))).not.toContain(d.id);
  });

  it('answers 404 when a default association names a missing record', async () => {
    const res = await crm.api('PUT', `/crm/v4/objects/contacts/99999999/associations/default/companies/${crm.world.companies[0].id}`);
    expect(res.status).toBe(404);
    expect(res.body.category).toBe('OBJECT_NOT_FOUND');
  });
});

describe('owners', () => {
  it('lists active owners with the documented fields', async () => {
    const res = await crm.api('GET', '/crm/v3/owners');
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(crm.world.owners.length);
    const o = crm.world.owners[0];
    expect(res.body.results[0]).toEqual({
      id: o.id,
      email: o.email,
      type: 'PERSON',
      firstName: o.firstName,
      lastName: o.lastName,
      userId: o.userId,
      userIdIncludingInactive: o.userId,
      createdAt: new Date(o.createdAt).toISOString(),
      updatedAt: expect.any(String),
      archived: false,
      teams: [{ id: expect.any(String), name: expect.any(String), primary: true }],
    });
  });

  it('filters by email, case-insensitively', async () => {
    const o = crm.world.owners[2];
    const res = await crm.api('GET', `/crm/v3/owners?email=${encodeURIComponent(o.email.toUpperCase())}`);
    expect(res.body.results.map((r: Json) => r.id)).toEqual([o.id]);
    expect((await crm.api('GET', '/crm/v3/owners?email=nobody@example.org')).body.results).toEqual([]);
  });

  it('pages with after, and lists former owners only with archived=true', async () => {
    const first = await crm.api('GET', '/crm/v3/owners?limit=2');
    expect(first.body.results).toHaveLength(2);
    const second = await crm.api('GET', `/crm/v3/owners?limit=2&after=${first.body.paging.next.after}`);
    expect(second.body.results[0].id).toBe(crm.world.owners[2].id);
    const archived = await crm.api('GET', '/crm/v3/owners?archived=true');
    expect(archived.body.results.length).toBeGreaterThan(0);
    expect(archived.body.results.every((r: Json) => r.archived === true)).toBe(true);
  });

  it('reads one owner by id or by userId, 404 otherwise', async () => {
    const o = crm.world.owners[1];
    expect((await crm.api('GET', `/crm/v3/owners/${o.id}`)).body.email).toBe(o.email);
    expect((await crm.api('GET', `/crm/v3/owners/${o.userId}?idProperty=userId`)).body.id).toBe(o.id);
    const missing = await crm.api('GET', '/crm/v3/owners/1');
    expect(missing.status).toBe(404);
    expect(missing.body.category).toBe('OBJECT_NOT_FOUND');
  });

  it('holds the owner id in every record’s hubspot_owner_id', async () => {
    const res = await crm.api('GET', '/crm/v3/objects/deals?limit=20&properties=hubspot_owner_id');
    const ownerIds = new Set(crm.world.owners.map((o) => o.id));
    for (const r of res.body.results) expect(ownerIds.has(r.properties.hubspot_owner_id)).toBe(true);
  });
});
