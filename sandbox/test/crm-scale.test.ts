/**
 * The CRM emulator on the benchmark's 100,000-contact world: seeding, paging and search
 * must stay linear (a quadratic path would blow the hook and test timeouts here), and the
 * index shortcuts must give the same answers as the scans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CrmHarness, type Json, listAll, startCrm } from './crm-helpers.ts';

let crm: CrmHarness;

beforeAll(async () => {
  crm = await startCrm(100_000);
}, 60_000);

afterAll(async () => {
  await crm?.close();
});

describe('a 100,000-contact world', () => {
  it('seeds every contact, company and deal', async () => {
    const { tables } = crm.emulator.store;
    expect(tables.contacts.all).toHaveLength(100_000);
    expect(tables.companies.all).toHaveLength(crm.world.companies.length);
    expect(tables.deals.all).toHaveLength(crm.world.deals.length);
    const last = crm.world.contacts.at(-1) as (typeof crm.world.contacts)[number];
    expect((await crm.api('GET', `/crm/v3/objects/contacts/${last.id}`)).body.properties.email).toBe(last.email);
  });

  it('pages all companies to the end exactly once', async () => {
    const all = await listAll(crm, '/crm/v3/objects/companies?limit=100');
    expect(all).toHaveLength(crm.world.companies.length);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
  });

  it('finds 100 contacts by email IN through the index, like a scan would', async () => {
    const sample = crm.world.contacts.filter((_, i) => i % 997 === 0).slice(0, 100);
    const res = await crm.api('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'IN', values: sample.map((c) => c.email.toUpperCase()) }] }],
      limit: 100,
    });
    expect(res.body.total).toBe(sample.length);
    expect(res.body.results.map((r: Json) => r.id)).toEqual(sample.map((c) => c.id));
  });

  it('scans, sorts and counts the whole table for an unindexed filter', async () => {
    const res = await crm.api('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' }] }],
      sorts: ['-lastmodifieddate'],
      limit: 5,
      properties: ['lastmodifieddate'],
    });
    expect(res.body.total).toBe(crm.world.contacts.filter((c) => c.lifecycleStage === 'customer').length);
    const newest = Math.max(...crm.world.contacts.filter((c) => c.lifecycleStage === 'customer').map((c) => c.updatedAt));
    expect(Date.parse(res.body.results[0].properties.lastmodifieddate)).toBe(newest);
  });

  it('batch-reads 1,000 companies’ associations in one call', async () => {
    const inputs = crm.world.companies.slice(0, 1000).map((c) => ({ id: c.id }));
    const res = await crm.api('POST', '/crm/v4/associations/companies/contacts/batch/read', { inputs });
    const answered = res.body.results.length + (res.body.numErrors ?? 0);
    expect(answered).toBe(1000);
  });
});
