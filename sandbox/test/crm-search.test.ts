/**
 * CRM search over real HTTP: group/filter logic, every operator, sorts, free-text query,
 * the request caps, the 10,000-result ceiling, paging by offset and the search lag.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CrmHarness, type Json, startCrm } from './crm-helpers.ts';

let crm: CrmHarness;

beforeAll(async () => {
  crm = await startCrm(200);
});

afterAll(async () => {
  await crm?.close();
});

afterEach(async () => {
  await crm.knobs({ searchLagMs: 0 });
});

type Filter = {
  propertyName: string;
  operator: string;
  value?: string | number;
  highValue?: string | number;
  values?: Array<string | number>;
};

async function search(type: string, body: Record<string, unknown>) {
  return crm.api('POST', `/crm/v3/objects/${type}/search`, body);
}

/** Ids of every match (limit 200 covers the 200-contact world). */
async function ids(type: string, filterGroups: Array<{ filters: Filter[] }>, extra: Record<string, unknown> = {}): Promise<string[]> {
  const res = await search(type, { filterGroups, limit: 200, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.results.map((r: Json) => r.id);
}

const one = (filter: Filter) => [{ filters: [filter] }];
const contactsWhere = (pred: (c: (typeof crm.world.contacts)[number]) => boolean) => crm.world.contacts.filter(pred).map((c) => c.id);

describe('filter logic', () => {
  it('ANDs the filters inside a group', async () => {
    const got = await ids('contacts', [
      {
        filters: [
          { propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' },
          { propertyName: 'hubspot_owner_id', operator: 'EQ', value: crm.world.owners[0].id },
        ],
      },
    ]);
    expect(got).toEqual(contactsWhere((c) => c.lifecycleStage === 'customer' && c.ownerId === crm.world.owners[0].id));
  });

  it('ORs the groups', async () => {
    const got = await ids('contacts', [
      ...one({ propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' }),
      ...one({ propertyName: 'lifecyclestage', operator: 'EQ', value: 'lead' }),
    ]);
    expect(got).toEqual(contactsWhere((c) => c.lifecycleStage === 'customer' || c.lifecycleStage === 'lead'));
    expect(got.length).toBeGreaterThan(0);
  });

  it('returns total and paging by numeric offset until the last page', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let total: number;
    for (;;) {
      const res = await search('contacts', {
        filterGroups: one({ propertyName: 'lifecyclestage', operator: 'NEQ', value: 'other' }),
        limit: 17,
        after,
      });
      total = res.body.total;
      seen.push(...res.body.results.map((r: Json) => r.id));
      if (!res.body.paging) break;
      after = res.body.paging.next.after;
      expect(after).toMatch(/^\d+$/);
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(total).toBe(contactsWhere((c) => c.lifecycleStage !== 'other').length);
  });
});

describe('operators', () => {
  it('EQ on email ignores case; NEQ excludes the value', async () => {
    const c = crm.world.contacts[3];
    expect(await ids('contacts', one({ propertyName: 'email', operator: 'EQ', value: c.email.toUpperCase() }))).toEqual([c.id]);
    const neq = await ids('contacts', one({ propertyName: 'lifecyclestage', operator: 'NEQ', value: 'lead' }));
    expect(neq).toEqual(contactsWhere((x) => x.lifecycleStage !== 'lead'));
  });

  it('LT, LTE, GT, GTE and BETWEEN compare numbers numerically', async () => {
    const amounts = crm.world.deals.map((d) => d.amount).sort((a, b) => a - b);
    const mid = amounts[Math.floor(amounts.length / 2)];
    const dealsWhere = (pred: (n: number) => boolean) => crm.world.deals.filter((d) => pred(d.amount)).map((d) => d.id);
    expect(await ids('deals', one({ propertyName: 'amount', operator: 'LT', value: mid }))).toEqual(dealsWhere((n) => n < mid));
    expect(await ids('deals', one({ propertyName: 'amount', operator: 'LTE', value: String(mid) }))).toEqual(dealsWhere((n) => n <= mid));
    expect(await ids('deals', one({ propertyName: 'amount', operator: 'GT', value: mid }))).toEqual(dealsWhere((n) => n > mid));
    expect(await ids('deals', one({ propertyName: 'amount', operator: 'GTE', value: mid }))).toEqual(dealsWhere((n) => n >= mid));
    expect(await ids('deals', one({ propertyName: 'amount', operator: 'BETWEEN', value: 1000, highValue: 20000 }))).toEqual(
      dealsWhere((n) => n >= 1000 && n <= 20000),
    );
  });

  it('compares datetimes given as epoch milliseconds or ISO strings', async () => {
    const cut = crm.world.contacts[0].createdAt;
    const expected = contactsWhere((c) => c.createdAt >= cut);
    expect(await ids('contacts', one({ propertyName: 'createdate', operator: 'GTE', value: String(cut) }))).toEqual(expected);
    expect(await ids('contacts', one({ propertyName: 'createdate', operator: 'GTE', value: new Date(cut).toISOString() }))).toEqual(
      expected,
    );
  });

  it('IN and NOT_IN take a values list', async () => {
    const wanted = crm.world.contacts.slice(5, 9).map((c) => c.email);
    expect(await ids('contacts', one({ propertyName: 'email', operator: 'IN', values: wanted }))).toEqual(
      crm.world.contacts.slice(5, 9).map((c) => c.id),
    );
    const notIn = await ids('contacts', one({ propertyName: 'lifecyclestage', operator: 'NOT_IN', values: ['lead', 'customer'] }));
    expect(notIn).toEqual(contactsWhere((c) => c.lifecycleStage !== 'lead' && c.lifecycleStage !== 'customer'));
  });

  it('HAS_PROPERTY and NOT_HAS_PROPERTY split the contacts with and without a phone', async () => {
    const has = await ids('contacts', one({ propertyName: 'phone', operator: 'HAS_PROPERTY' }));
    const hasNot = await ids('contacts', one({ propertyName: 'phone', operator: 'NOT_HAS_PROPERTY' }));
    expect(has.length).toBeGreaterThan(0);
    expect(hasNot.length).toBeGreaterThan(0);
    expect(has.length + hasNot.length).toBe(crm.world.contacts.length);
    expect(has.filter((id) => hasNot.includes(id))).toEqual([]);
  });

  it('CONTAINS_TOKEN matches whole words and * wildcards; NOT_CONTAINS_TOKEN is its complement', async () => {
    const company = crm.world.companies[0];
    const word = company.name.split(' ')[0];
    const contains = await ids('companies', one({ propertyName: 'name', operator: 'CONTAINS_TOKEN', value: word.toLowerCase() }));
    expect(contains).toEqual(crm.world.companies.filter((c) => c.name.split(' ').includes(word)).map((c) => c.id));
    const wildcard = await ids('contacts', one({ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: `*@${company.domain}` }));
    expect(wildcard).toEqual(contactsWhere((c) => c.email.endsWith(`@${company.domain}`)));
    const notContains = await ids('companies', one({ propertyName: 'name', operator: 'NOT_CONTAINS_TOKEN', value: word }));
    expect(notContains.length + contains.length).toBe(crm.world.companies.length);
  });

  it('rejects an unknown operator', async () => {
    const res = await search('contacts', { filterGroups: one({ propertyName: 'email', operator: 'LIKE', value: 'x' }) });
    expect(res.status).toBe(400);
    expect(res.body.category).toBe('VALIDATION_ERROR');
  });
});

describe('sorting and free text', () => {
  it('sorts by "-createdate" and by {propertyName, direction} alike', async () => {
    const a = await search('contacts', { sorts: ['-createdate'], limit: 50, properties: ['createdate'] });
    const b = await search('contacts', {
      sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }],
      limit: 50,
      properties: ['createdate'],
    });
    expect(a.body.results).toEqual(b.body.results);
    const dates = a.body.results.map((r: Json) => Date.parse(r.properties.createdate));
    expect(dates).toEqual([...dates].sort((x, y) => y - x));
    const newest = [...crm.world.contacts].sort((x, y) => y.createdAt - x.createdAt)[0];
    expect(a.body.results[0].id).toBe(newest.id);
  });

  it('sorts ascending numbers numerically, not as text', async () => {
    const res = await search('companies', { sorts: ['numberofemployees'], limit: 200, properties: ['numberofemployees'] });
    const values = res.body.results.map((r: Json) => Number(r.properties.numberofemployees));
    expect(values).toEqual([...values].sort((x, y) => x - y));
  });

  it('finds by query over names, emails and domains, word prefixes included', async () => {
    const c = crm.world.contacts[0];
    const byName = await ids('contacts', [], { query: `${c.firstName.slice(0, 3)} ${c.lastName}` });
    expect(byName).toContain(c.id);
    expect(byName).toEqual(
      contactsWhere((x) => x.firstName.toLowerCase().startsWith(c.firstName.slice(0, 3).toLowerCase()) && x.lastName === c.lastName),
    );
    expect(await ids('contacts', [], { query: c.email })).toEqual([c.id]);
    const company = crm.world.companies[1];
    expect(await ids('companies', [], { query: company.domain })).toEqual([company.id]);
    const deal = crm.world.deals[0];
    expect(await ids('deals', [], { query: deal.name.split(' ')[0] })).toContain(deal.id);
  });

  it('returns the requested properties only, plus the always-present ones', async () => {
    const res = await search('contacts', { properties: ['phone'], limit: 1 });
    expect(Object.keys(res.body.results[0].properties).sort()).toEqual(['createdate', 'hs_object_id', 'lastmodifieddate', 'phone']);
  });
});

describe('caps', () => {
  const filter = { propertyName: 'email', operator: 'HAS_PROPERTY' };
  it.each([
    ['limit above 200', { limit: 201 }],
    ['six filter groups', { filterGroups: Array.from({ length: 6 }, () => ({ filters: [filter] })) }],
    ['eleven filters in a group', { filterGroups: [{ filters: Array.from({ length: 11 }, () => filter) }] }],
    [
      '26 filters in total',
      {
        filterGroups: [
          ...Array.from({ length: 2 }, () => ({ filters: Array.from({ length: 10 }, () => filter) })),
          { filters: Array.from({ length: 6 }, () => filter) },
        ],
      },
    ],
    ['a query over 3000 characters', { query: 'x'.repeat(3001) }],
    ['after + limit beyond 10,000', { after: '9901', limit: 100 }],
  ])('rejects %s with 400 VALIDATION_ERROR', async (_label, body) => {
    const res = await search('contacts', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });

  it('accepts exactly 5 groups, 10 filters per group, 25 in total and a page ending at 10,000', async () => {
    const groups = [
      ...Array.from({ length: 2 }, () => ({ filters: Array.from({ length: 10 }, () => filter) })),
      { filters: Array.from({ length: 5 }, () => filter) },
    ];
    expect((await search('contacts', { filterGroups: groups })).status).toBe(200);
    expect((await search('contacts', { filterGroups: Array.from({ length: 5 }, () => ({ filters: [filter] })) })).status).toBe(200);
    const edge = await search('contacts', { after: '9900', limit: 100 });
    expect(edge.status).toBe(200);
    expect(edge.body.results).toEqual([]);
    expect(edge.body.total).toBeGreaterThanOrEqual(crm.world.contacts.length);
  });
});

describe('search lag', () => {
  it('does not see a created contact until searchLagMs has passed', async () => {
    await crm.knobs({ searchLagMs: 300 });
    const email = `lagging-${Date.now()}@example.org`;
    const created = await crm.api('POST', '/crm/v3/objects/contacts', { properties: { email } });
    const byEmail = one({ propertyName: 'email', operator: 'EQ', value: email });
    expect(await ids('contacts', byEmail)).toEqual([]);
    // Reads by id are read-after-write even while search lags.
    expect((await crm.api('GET', `/crm/v3/objects/contacts/${created.body.id}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 350));
    expect(await ids('contacts', byEmail)).toEqual([created.body.id]);
  });

  it('shows the old values of an updated contact until the lag passes, and drops archived ones after it', async () => {
    const c = crm.world.contacts[30];
    await crm.knobs({ searchLagMs: 300 });
    await crm.api('PATCH', `/crm/v3/objects/contacts/${c.id}`, { properties: { firstname: 'Renamed' } });
    const byId = one({ propertyName: 'hs_object_id', operator: 'EQ', value: c.id });
    const stale = await search('contacts', { filterGroups: byId });
    expect(stale.body.results[0].properties.firstname).toBe(c.firstName);
    await new Promise((r) => setTimeout(r, 350));
    const fresh = await search('contacts', { filterGroups: byId });
    expect(fresh.body.results[0].properties.firstname).toBe('Renamed');
    await crm.api('DELETE', `/crm/v3/objects/contacts/${c.id}`);
    expect((await search('contacts', { filterGroups: byId })).body.total).toBe(1);
    await new Promise((r) => setTimeout(r, 350));
    expect((await search('contacts', { filterGroups: byId })).body.total).toBe(0);
  });

  it('moves a contact between the owner, stage and email lookups only when its writes become searchable', async () => {
    const c = crm.world.contacts.filter((x) => x.lifecycleStage !== 'customer').at(-1)!;
    const owner = crm.world.owners.find((o) => o.id !== c.ownerId)!;
    const where = (stage: string, ownerId: string) => [
      {
        filters: [
          { propertyName: 'lifecyclestage', operator: 'EQ', value: stage },
          { propertyName: 'hubspot_owner_id', operator: 'IN', values: [ownerId] },
        ],
      },
    ];
    const byEmail = (email: string) => one({ propertyName: 'email', operator: 'EQ', value: email });
    const count = async (groups: Array<{ filters: Filter[] }>) => (await search('contacts', { filterGroups: groups, limit: 1 })).body.total;
    const asc = (list: string[]) => [...list].sort((x, y) => Number(x) - Number(y));
    // Search first, so the lookups exist before the writes and must follow them.
    const target = await ids('contacts', where('customer', owner.id));
    const origin = await ids('contacts', where(c.lifecycleStage, c.ownerId));
    expect(origin).toContain(c.id);
    expect(await ids('contacts', byEmail(c.email))).toEqual([c.id]);

    await crm.knobs({ searchLagMs: 300 });
    await crm.api('PATCH', `/crm/v3/objects/contacts/${c.id}`, { properties: { lifecyclestage: 'customer', hubspot_owner_id: owner.id } });
    const email = `moved-${Date.now()}@example.org`;
    const batch = await crm.api('POST', '/crm/v3/objects/contacts/batch/update', { inputs: [{ id: c.id, properties: { email } }] });
    expect(batch.status).toBe(200);
    expect(await ids('contacts', where('customer', owner.id))).toEqual(target);
    expect(await ids('contacts', where(c.lifecycleStage, c.ownerId))).toEqual(origin);
    expect(await ids('contacts', byEmail(c.email))).toEqual([c.id]);
    expect(await ids('contacts', byEmail(email))).toEqual([]);

    await new Promise((r) => setTimeout(r, 350));
    expect(await ids('contacts', where('customer', owner.id))).toEqual(asc([...target, c.id]));
    expect(await count(where('customer', owner.id))).toBe(target.length + 1);
    expect(await ids('contacts', where(c.lifecycleStage, c.ownerId))).toEqual(origin.filter((id) => id !== c.id));
    expect(await ids('contacts', byEmail(c.email))).toEqual([]);
    expect(await ids('contacts', byEmail(email))).toEqual([c.id]);

    await crm.api('DELETE', `/crm/v3/objects/contacts/${c.id}`);
    expect(await count(where('customer', owner.id))).toBe(target.length + 1);
    await new Promise((r) => setTimeout(r, 350));
    expect(await ids('contacts', where('customer', owner.id))).toEqual(target);
    expect(await count(where('customer', owner.id))).toBe(target.length);
    expect(await ids('contacts', byEmail(email))).toEqual([]);
  });
});
