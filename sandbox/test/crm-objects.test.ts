/**
 * CRM objects v3 over real HTTP: list paging, reads by id and by unique property, writes,
 * archive, and the batch endpoints with their limits and 207 partial results.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmHarness, listAll, startCrm } from './crm-helpers.ts';

let crm: CrmHarness;

beforeAll(async () => {
  crm = await startCrm(200);
});

afterAll(async () => {
  await crm?.close();
});

const isoString = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

describe('listing objects', () => {
  it('returns SimplePublicObjects with the default contact properties as strings', async () => {
    const res = await crm.api('GET', '/crm/v3/objects/contacts');
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(10);
    const [first] = res.body.results;
    expect(first).toEqual({
      id: '10000001',
      properties: {
        firstname: expect.any(String),
        lastname: expect.any(String),
        email: crm.world.contacts[0].email,
        hs_object_id: '10000001',
        createdate: isoString,
        lastmodifieddate: isoString,
      },
      createdAt: isoString,
      updatedAt: isoString,
      archived: false,
    });
    expect(res.body.paging.next.after).toEqual(expect.any(String));
    expect(res.body.paging.next.link).toContain('after=');
  });

  it('uses hs_lastmodifieddate and the documented defaults for companies and deals', async () => {
    const companies = await crm.api('GET', '/crm/v3/objects/companies?limit=1');
    expect(Object.keys(companies.body.results[0].properties).sort()).toEqual([
      'createdate',
      'domain',
      'hs_lastmodifieddate',
      'hs_object_id',
      'name',
    ]);
    const deals = await crm.api('GET', '/crm/v3/objects/deals?limit=1');
    expect(Object.keys(deals.body.results[0].properties).sort()).toEqual(
      ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'].sort(),
    );
    expect(deals.body.results[0].properties.amount).toMatch(/^\d+(\.\d+)?$/);
  });

  it('answers the 0-1, 0-2 and 0-3 aliases like the named types', async () => {
    for (const [alias, name] of [
      ['0-1', 'contacts'],
      ['0-2', 'companies'],
      ['0-3', 'deals'],
    ]) {
      const a = await crm.api('GET', `/crm/v3/objects/${alias}?limit=3`);
      const b = await crm.api('GET', `/crm/v3/objects/${name}?limit=3`);
      expect(a.body.results.map((r: { id: string }) => r.id)).toEqual(b.body.results.map((r: { id: string }) => r.id));
    }
    expect((await crm.api('GET', '/crm/v3/objects/tickets')).status).toBe(400);
  });

  it('accepts properties as a comma list or repeated, omits unknown names and gives null for unset ones', async () => {
    const comma = await crm.api('GET', '/crm/v3/objects/contacts?limit=50&properties=phone,jobtitle,no_such_property');
    const repeated = await crm.api(
      'GET',
      '/crm/v3/objects/contacts?limit=50&properties=phone&properties=jobtitle&properties=no_such_property',
    );
    expect(comma.body.results).toEqual(repeated.body.results);
    for (const r of comma.body.results) {
      expect(Object.keys(r.properties).sort()).toEqual(['createdate', 'hs_object_id', 'jobtitle', 'lastmodifieddate', 'phone']);
    }
    // The seed leaves some phones blank: those come back as null, not missing.
    expect(comma.body.results.some((r: { properties: { phone: string | null } }) => r.properties.phone === null)).toBe(true);
  });

  it('caps the page size at 100 and rejects a non-numeric limit', async () => {
    expect((await crm.api('GET', '/crm/v3/objects/contacts?limit=500')).body.results).toHaveLength(100);
    expect((await crm.api('GET', '/crm/v3/objects/contacts?limit=abc')).status).toBe(400);
    expect((await crm.api('GET', '/crm/v3/objects/contacts?after=%%%')).status).toBe(400);
  });

  it('pages to the end with every contact exactly once', async () => {
    const all = await listAll(crm, '/crm/v3/objects/contacts?limit=37');
    const ids = all.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(crm.world.contacts.length);
  });

  it('stays exact while contacts are created between pages: no duplicates, no gaps, new ones at the end', async () => {
    const before = (await listAll(crm, '/crm/v3/objects/contacts?limit=100')).length;
    const created: string[] = [];
    const all = await listAll(crm, '/crm/v3/objects/contacts?limit=25', async (page) => {
      if (page > 3) return;
      const res = await crm.api('POST', '/crm/v3/objects/contacts', { properties: { email: `paging-${page}@example.org` } });
      created.push(res.body.id);
    });
    const ids = all.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(before + created.length);
    expect(ids.slice(-created.length)).toEqual(created);
  });
});

describe('reading one object', () => {
  it('finds a contact by id and by email in any case, and a company by domain', async () => {
    const contact = crm.world.contacts[4];
    const byId = await crm.api('GET', `/crm/v3/objects/contacts/${contact.id}`);
    const byEmail = await crm.api('GET', `/crm/v3/objects/contacts/${encodeURIComponent(contact.email.toUpperCase())}?idProperty=email`);
    expect(byId.status).toBe(200);
    expect(byEmail.body).toEqual(byId.body);
    const company = crm.world.companies[2];
    const byDomain = await crm.api('GET', `/crm/v3/objects/companies/${company.domain}?idProperty=domain&properties=industry`);
    expect(byDomain.body.id).toBe(company.id);
    expect(byDomain.body.properties.industry).toBe(company.industry);
  });

  it('answers 404 OBJECT_NOT_FOUND with HubSpot error body for an unknown id', async () => {
    const res = await crm.api('GET', '/crm/v3/objects/contacts/99999999');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND', message: expect.any(String) });
    expect(res.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-hubspot-correlation-id')).toBe(res.body.correlationId);
  });

  it('rejects an idProperty that is not unique', async () => {
    const res = await crm.api('GET', '/crm/v3/objects/contacts/Ada?idProperty=firstname');
    expect(res.status).toBe(400);
    expect(res.body.category).toBe('VALIDATION_ERROR');
  });
});

describe('writing objects', () => {
  it('creates a contact (201) with a lowercased email and a primary company', async () => {
    const company = crm.world.companies[0];
    const res = await crm.api('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'New.Person@Example.ORG', firstname: 'New', lifecyclestage: 'lead' },
      associations: [{ to: { id: company.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }] }],
    });
    expect(res.status).toBe(201);
    expect(res.body.properties).toMatchObject({
      email: 'new.person@example.org',
      firstname: 'New',
      lifecyclestage: 'lead',
      hs_object_id: res.body.id,
    });
    expect(res.body.createdAt).toBe(res.body.properties.createdate);
    const read = await crm.api('GET', `/crm/v3/objects/contacts/${res.body.id}?associations=companies`);
    expect(read.body.associations.companies.results).toEqual([
      { id: company.id, type: 'contact_to_company' },
      { id: company.id, type: 'contact_to_company_unlabeled' },
    ]);
  });

  it('refuses a second contact with the same email: 409 CONFLICT naming the existing id', async () => {
    const existing = crm.world.contacts[7];
    const res = await crm.api('POST', '/crm/v3/objects/contacts', { properties: { email: existing.email.toUpperCase() } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      status: 'error',
      category: 'CONFLICT',
      message: `Contact already exists. Existing ID: ${existing.id}`,
    });
  });

  it('rejects unknown, read-only and mistyped properties with VALIDATION_ERROR details', async () => {
    const res = await crm.api('POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'X', amount: 'lots', hs_object_id: '1', favourite_colour: 'red' },
    });
    expect(res.status).toBe(400);
    expect(res.body.category).toBe('VALIDATION_ERROR');
    expect(res.body.message).toMatch(/^Property values were not valid: /);
    expect(res.body.errors.map((e: { code: string }) => e.code).sort()).toEqual([
      'INVALID_INTEGER',
      'PROPERTY_DOESNT_EXIST',
      'READ_ONLY_VALUE',
    ]);
    expect(res.body.errors[0].context.propertyName).toHaveLength(1);
  });

  it('updates with PATCH, bumping lastmodifieddate and updatedAt, also addressed by email', async () => {
    const contact = crm.world.contacts[10];
    const before = await crm.api('GET', `/crm/v3/objects/contacts/${contact.id}`);
    const res = await crm.api('PATCH', `/crm/v3/objects/contacts/${encodeURIComponent(contact.email)}?idProperty=email`, {
      properties: { jobtitle: 'Chief Tester' },
    });
    expect(res.status).toBe(200);
    expect(res.body.properties.jobtitle).toBe('Chief Tester');
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(before.body.updatedAt));
    expect(res.body.properties.lastmodifieddate).toBe(res.body.updatedAt);
    const history = await crm.api('GET', `/crm/v3/objects/contacts/${contact.id}?propertiesWithHistory=jobtitle`);
    expect(history.body.propertiesWithHistory.jobtitle[0]).toMatchObject({
      value: 'Chief Tester',
      sourceType: 'INTEGRATION',
      timestamp: res.body.updatedAt,
    });
  });

  it('answers 404 when updating a missing record and 409 when taking another contact’s email', async () => {
    expect((await crm.api('PATCH', '/crm/v3/objects/contacts/99999999', { properties: { firstname: 'X' } })).status).toBe(404);
    const taken = await crm.api('PATCH', `/crm/v3/objects/contacts/${crm.world.contacts[11].id}`, {
      properties: { email: crm.world.contacts[12].email },
    });
    expect(taken.status).toBe(409);
  });

  it('archives with DELETE (204); the record then reads only with archived=true', async () => {
    const created = await crm.api('POST', '/crm/v3/objects/companies', {
      properties: { name: 'Short Lived', domain: 'short-lived.example' },
    });
    expect(created.status).toBe(201);
    const del = await crm.api('DELETE', `/crm/v3/objects/companies/${created.body.id}`);
    expect(del.status).toBe(204);
    expect((await crm.api('GET', `/crm/v3/objects/companies/${created.body.id}`)).status).toBe(404);
    const archived = await crm.api('GET', `/crm/v3/objects/companies/${created.body.id}?archived=true`);
    expect(archived.body).toMatchObject({ id: created.body.id, archived: true, archivedAt: isoString });
    const listed = await listAll(crm, '/crm/v3/objects/companies?archived=true');
    expect(listed.map((r) => r.id)).toContain(created.body.id);
    expect(listed.every((r) => r.archived === true)).toBe(true);
    expect((await crm.api('DELETE', `/crm/v3/objects/companies/${created.body.id}`)).status).toBe(204);
  });

  it('rejects invalid JSON bodies with VALIDATION_ERROR', async () => {
    const res = await crm.api('POST', '/crm/v3/objects/contacts', '{"properties": ');
    expect(res.status).toBe(400);
    expect(res.body.category).toBe('VALIDATION_ERROR');
  });
});

describe('batch endpoints', () => {
  it('reads 100 contacts in one call with the requested properties', async () => {
    const ids = crm.world.contacts.slice(0, 100).map((c) => c.id);
    const res = await crm.api('POST', '/crm/v3/objects/contacts/batch/read', {
      inputs: ids.map((id) => ({ id })),
      properties: ['email', 'lifecyclestage'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'COMPLETE', startedAt: isoString, completedAt: isoString });
    expect(res.body.results.map((r: { id: string }) => r.id)).toEqual(ids);
    expect(res.body.results[0].properties.lifecyclestage).toBe(crm.world.contacts[0].lifecycleStage);
    expect(res.body.errors).toBeUndefined();
  });

  it('rejects 101 inputs with 400 VALIDATION_ERROR', async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(10_000_001 + i) }));
    for (const path of ['read', 'create', 'update', 'archive']) {
      const res = await crm.api('POST', `/crm/v3/objects/contacts/batch/${path}`, { inputs });
      expect(res.status, path).toBe(400);
      expect(res.body.category).toBe('VALIDATION_ERROR');
    }
  });

  it('answers 207 with numErrors and the missing ids when some do not exist', async () => {
    const res = await crm.api('POST', '/crm/v3/objects/deals/batch/read', {
      inputs: [{ id: crm.world.deals[0].id }, { id: '1' }, { id: '2' }],
    });
    expect(res.status).toBe(207);
    expect(res.body.results.map((r: { id: string }) => r.id)).toEqual([crm.world.deals[0].id]);
    expect(res.body.numErrors).toBe(1);
    expect(res.body.errors[0]).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND', context: { ids: ['1', '2'] } });
  });

  it('reads by email with idProperty', async () => {
    const emails = crm.world.contacts.slice(20, 23).map((c) => c.email);
    const res = await crm.api('POST', '/crm/v3/objects/contacts/batch/read', {
      idProperty: 'email',
      inputs: [...emails, 'nobody@nowhere.example'].map((id) => ({ id })),
      properties: ['email'],
    });
    expect(res.status).toBe(207);
    expect(res.body.results.map((r: { properties: { email: string } }) => r.properties.email)).toEqual(emails);
    expect(res.body.errors[0].context.ids).toEqual(['nobody@nowhere.example']);
  });

  it('creates a batch (201), or nothing at all when one email already exists (409)', async () => {
    const ok = await crm.api('POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: [{ properties: { email: 'batch-a@example.org' } }, { properties: { email: 'batch-b@example.org' } }],
    });
    expect(ok.status).toBe(201);
    expect(ok.body.results).toHaveLength(2);
    const clash = await crm.api('POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: [{ properties: { email: 'batch-c@example.org' } }, { properties: { email: 'batch-a@example.org' } }],
    });
    expect(clash.status).toBe(409);
    expect(clash.body.category).toBe('CONFLICT');
    expect((await crm.api('GET', '/crm/v3/objects/contacts/batch-c@example.org?idProperty=email')).status).toBe(404);
  });

  it('updates what exists and reports the rest in a 207', async () => {
    const [a, b] = crm.world.deals;
    const res = await crm.api('POST', '/crm/v3/objects/deals/batch/update', {
      inputs: [
        { id: a.id, properties: { dealstage: 'closedwon' } },
        { id: '12345', properties: { dealstage: 'closedwon' } },
        { id: b.id, properties: { amount: 1234.5 } },
      ],
    });
    expect(res.status).toBe(207);
    expect(res.body.results.map((r: { id: string }) => r.id)).toEqual([a.id, b.id]);
    expect(res.body.errors).toEqual([expect.objectContaining({ category: 'OBJECT_NOT_FOUND', context: { ids: ['12345'] } })]);
    const read = await crm.api('GET', `/crm/v3/objects/deals/${b.id}`);
    expect(read.body.properties.amount).toBe('1234.5');
  });

  it('archives a batch with 204', async () => {
    const made = await crm.api('POST', '/crm/v3/objects/deals/batch/create', {
      inputs: [{ properties: { dealname: 'A' } }, { properties: { dealname: 'B' } }],
    });
    const res = await crm.api('POST', '/crm/v3/objects/deals/batch/archive', {
      inputs: made.body.results.map((r: { id: string }) => ({ id: r.id })),
    });
    expect(res.status).toBe(204);
    const read = await crm.api('POST', '/crm/v3/objects/deals/batch/read', {
      inputs: made.body.results.map((r: { id: string }) => ({ id: r.id })),
    });
    expect(read.body.results).toHaveLength(0);
  });
});
