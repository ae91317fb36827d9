/**
 * List endpoints: newest first, cursor paging with `starting_after` / `ending_before` that
 * is exact — no duplicates and no gaps — also while records are created and deleted, and
 * the list filters Stripe documents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillingHarness, startBilling } from './billing-helpers.ts';

let h: BillingHarness;

beforeAll(async () => {
  h = await startBilling({ knobs: { searchLagMs: 0 } });
});

afterAll(async () => {
  await h?.close();
});

interface Listed {
  id: string;
  created: number;
}

/** Pages forward with starting_after; `between` runs after each page (to write concurrently). */
async function pageAll(path: string, limit: number, between?: (page: number) => Promise<void>): Promise<Listed[]> {
  const out: Listed[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await h.call('GET', `${path}${sep}limit=${limit}${cursor ? `&starting_after=${cursor}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.object).toBe('list');
    expect(res.body.url).toBe(path.split('?')[0]);
    out.push(...res.body.data);
    if (!res.body.has_more) break;
    cursor = res.body.data[res.body.data.length - 1].id;
    await between?.(page);
  }
  return out;
}

function expectNewestFirstWithoutRepeats(rows: Listed[]): void {
  expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  for (let i = 1; i < rows.length; i++) expect(rows[i].created).toBeLessThanOrEqual(rows[i - 1].created);
}

describe('paging to the end', () => {
  it('visits every seeded customer exactly once, newest first', async () => {
    const rows = await pageAll('/v1/customers', 7);
    expectNewestFirstWithoutRepeats(rows);
    const seeded = h.sandbox.world.customers.map((c) => c.id);
    expect(
      rows
        .map((r) => r.id)
        .filter((id) => seeded.includes(id))
        .sort(),
    ).toEqual([...seeded].sort());
  });

  it('visits every invoice exactly once while new invoices and customers are created between pages', async () => {
    const before = await pageAll('/v1/invoices', 100);
    const customer = (await h.call('POST', '/v1/customers', { form: 'email=paging%40example.com' })).body.id;
    const rows = await pageAll('/v1/invoices', 37, async () => {
      await h.call('POST', '/v1/invoices', { form: `customer=${customer}` });
      await h.call('POST', '/v1/customers', { form: 'email=noise%40example.com' });
    });
    expectNewestFirstWithoutRepeats(rows);
    // Invoices created during the walk are newer than the cursor: the walk sees exactly the earlier ones.
    expect(rows.map((r) => r.id)).toEqual(before.map((r) => r.id));
  });

  it('walks backwards with ending_before to the newest record', async () => {
    const forward = await pageAll('/v1/charges', 100);
    const oldest = forward[forward.length - 1];
    const backward: Listed[] = [];
    let cursor = oldest.id;
    for (;;) {
      const res = await h.call('GET', `/v1/charges?limit=9&ending_before=${cursor}`);
      expect(res.status).toBe(200);
      // Each page is itself newest first; pages come from older to newer.
      backward.unshift(...res.body.data);
      if (!res.body.has_more) break;
      cursor = res.body.data[0].id;
    }
    expect([...backward, oldest].map((r) => r.id)).toEqual(forward.map((r) => r.id));
  });

  it('keeps paging past a cursor object that was deleted meanwhile', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await h.call('POST', '/v1/customers', { form: `email=del${i}%40example.com` })).body.id);
    const first = await h.call('GET', '/v1/customers?limit=2');
    const cursor = first.body.data[1].id;
    expect(cursor).toBe(ids[3]);
    await h.call('DELETE', `/v1/customers/${cursor}`);
    const next = await h.call('GET', `/v1/customers?limit=2&starting_after=${cursor}`);
    expect(next.body.data.map((c: Listed) => c.id)).toEqual([ids[2], ids[1]]);
  });

  it('answers a cursor that never existed with resource_missing', async () => {
    const res = await h.call('GET', '/v1/customers?starting_after=cus_neverexisted');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'resource_missing', param: 'starting_after' });
  });
});

describe('list filters', () => {
  it('filters invoices by customer and status, paging within the filter', async () => {
    const all = await pageAll('/v1/invoices', 100);
    const sample = await h.call('GET', `/v1/invoices/${all[all.length - 1].id}`);
    const customer = sample.body.customer;
    const own = await pageAll(`/v1/invoices?customer=${customer}`, 2);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((i: any) => i.customer === customer)).toBe(true);
    const paid = await pageAll(`/v1/invoices?status=paid`, 100);
    expect(paid.every((i: any) => i.status === 'paid')).toBe(true);
    expect(paid.length).toBeGreaterThan(all.length / 2);
  });

  it('filters by created range', async () => {
    const all = await pageAll('/v1/invoices', 100);
    const pivot = all[Math.floor(all.length / 2)].created;
    const newer = await pageAll(`/v1/invoices?created[gt]=${pivot}`, 100);
    const olderOrSame = await pageAll(`/v1/invoices?created[lte]=${pivot}`, 100);
    expect(newer.every((i) => i.created > pivot)).toBe(true);
    expect(newer.length + olderOrSame.length).toBe(all.length);
  });

  it('matches customer email exactly and case-sensitively, as Stripe does', async () => {
    const c = (await h.call('POST', '/v1/customers', { form: 'email=Case.Sensitive%40Example.com' })).body;
    expect(
      (await h.call('GET', `/v1/customers?email=${encodeURIComponent('Case.Sensitive@Example.com')}`)).body.data.map((x: Listed) => x.id),
    ).toEqual([c.id]);
    expect((await h.call('GET', `/v1/customers?email=${encodeURIComponent('case.sensitive@example.com')}`)).body.data).toEqual([]);
  });

  it('lists only live subscriptions by default and all of them with status=all', async () => {
    const live = await pageAll('/v1/subscriptions', 100);
    const everything = await pageAll('/v1/subscriptions?status=all', 100);
    expect(live.every((s: any) => s.status !== 'canceled')).toBe(true);
    expect(everything.some((s: any) => s.status === 'canceled')).toBe(true);
    expect(everything.length).toBeGreaterThan(live.length);
  });

  it('lists invoice items by invoice and pending ones by customer', async () => {
    const c = (await h.call('POST', '/v1/customers', { form: 'email=items%40example.com' })).body.id;
    const inv = (await h.call('POST', '/v1/invoices', { form: `customer=${c}` })).body.id;
    const attached = (await h.call('POST', '/v1/invoiceitems', { form: `customer=${c}&invoice=${inv}&amount=700&currency=usd` })).body.id;
    const pending = (await h.call('POST', '/v1/invoiceitems', { form: `customer=${c}&amount=300&currency=usd` })).body.id;
    expect((await h.call('GET', `/v1/invoiceitems?invoice=${inv}`)).body.data.map((i: Listed) => i.id)).toEqual([attached]);
    expect((await h.call('GET', `/v1/invoiceitems?customer=${c}&pending=true`)).body.data.map((i: Listed) => i.id)).toEqual([pending]);
    expect((await h.call('GET', `/v1/invoiceitems?customer=${c}`)).body.data.map((i: Listed) => i.id)).toEqual([pending, attached]);
    const seeded = await h.call('GET', '/v1/invoiceitems?pending=false&limit=3');
    const line = await h.call('GET', `/v1/invoiceitems?invoice=${seeded.body.data[0].invoice}`);
    expect(line.body.data.map((i: Listed) => i.id)).toContain(seeded.body.data[0].id);
  });

  it('lists the catalog prices without the inline prices of amount-based items', async () => {
    const res = await h.call('GET', '/v1/prices?limit=100');
    expect(res.body.data.map((p: Listed) => p.id)).toEqual(
      expect.arrayContaining(['price_starter_monthly', 'price_growth_monthly', 'price_scale_yearly']),
    );
    expect(res.body.data.every((p: any) => p.active)).toBe(true);
    const recurring = await h.call('GET', '/v1/prices?type=recurring&recurring[interval]=year');
    expect(recurring.body.data.map((p: Listed) => p.id).sort()).toEqual([
      'price_growth_yearly',
      'price_scale_yearly',
      'price_starter_yearly',
    ]);
  });
});
