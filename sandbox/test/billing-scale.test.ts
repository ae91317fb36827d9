/**
 * The Stripe emulator on the benchmark's 100,000-contact world (half a million invoices):
 * seeding, paging, index lookups and scans must stay linear or better — a quadratic path
 * would blow the hook and test timeouts here — and give the same answers either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillingHarness, q, startBilling } from './billing-helpers.ts';

let h: BillingHarness;

beforeAll(async () => {
  h = await startBilling({ contacts: 100_000, knobs: { searchLagMs: 0 } });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('a 100,000-contact world', () => {
  it('seeds a customer per world customer, the subscriptions and about world.size.invoices invoices', async () => {
    const { world } = h.sandbox;
    const stats = (await h.admin('GET', '/__sandbox/stats')).body;
    expect(stats.customers).toBe(world.customers.length);
    expect(stats.subscriptions).toBe(world.size.subscriptions);
    expect(stats.invoices).toBeGreaterThanOrEqual(world.size.invoices);
    expect(stats.invoices).toBeLessThan(world.size.invoices * 1.05);
    expect(stats.charges).toBeGreaterThan(stats.invoices / 2);
    expect(stats.invoiceitems).toBeGreaterThan(stats.invoices);
  });

  it('finds ten customers by OR-ed metadata clauses in one search', async () => {
    const linked = h.sandbox.world.customers
      .filter((c) => c.linkedByMetadata)
      .filter((_, i) => i % 7001 === 0)
      .slice(0, 10);
    const query = linked.map((c) => `metadata["hubspot_contact_id"]:"${c.contactId}"`).join(' OR ');
    const res = await h.call('GET', `/v1/customers/search?query=${q(query)}&limit=100`);
    expect(res.body.data.map((c: { id: string }) => c.id).sort()).toEqual(linked.map((c) => c.id).sort());
  });

  it('lists one customer’s invoices and charges through the index, as search does', async () => {
    const [inv] = (await h.call('GET', '/v1/invoices?status=uncollectible&limit=1')).body.data;
    const listed = (await h.call('GET', `/v1/invoices?customer=${inv.customer}&limit=100`)).body.data.map((i: { id: string }) => i.id);
    const searched = (await h.call('GET', `/v1/invoices/search?query=${q(`customer:"${inv.customer}"`)}&limit=100`)).body.data.map(
      (i: { id: string }) => i.id,
    );
    expect(listed).toContain(inv.id);
    expect(searched).toEqual(listed);
    const charges = (await h.call('GET', `/v1/charges?customer=${inv.customer}&limit=100`)).body.data;
    expect(charges.every((c: { customer: string }) => c.customer === inv.customer)).toBe(true);
  });

  it("pages one plan's subscriptions to the end exactly once", async () => {
    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const res = await h.call('GET', `/v1/subscriptions?status=all&price=price_scale_yearly&limit=100${cursor}`);
      for (const s of res.body.data) seen.push(s.id);
      if (!res.body.has_more) break;
      cursor = `&starting_after=${res.body.data[res.body.data.length - 1].id}`;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const total = (
      await h.call(
        'GET',
        `/v1/subscriptions/search?query=${q('status:"active" OR status:"canceled" OR status:"trialing" OR status:"past_due" OR status:"unpaid" OR status:"incomplete"')}&expand[]=total_count&limit=1`,
      )
    ).body.total_count;
    // About 8 % of the subscriptions are on the yearly Scale plan.
    expect(seen.length).toBeGreaterThan(Math.min(total, h.sandbox.world.size.subscriptions) * 0.04);
    expect(seen.length).toBeLessThan(h.sandbox.world.size.subscriptions * 0.12);
  });

  it('pages deep into the invoices from an old cursor', async () => {
    const [oldest] = (await h.call('GET', '/v1/invoices?created[lte]=0&limit=1')).body.data;
    expect(oldest).toBeUndefined();
    const old = (await h.call('GET', `/v1/invoices?created[lt]=${Math.floor(h.sandbox.world.now / 1000) - 600 * 86_400}&limit=1`)).body
      .data[0];
    const next = (await h.call('GET', `/v1/invoices?starting_after=${old.id}&limit=100`)).body.data;
    expect(next).toHaveLength(100);
    expect(next.every((i: { created: number }) => i.created <= old.created)).toBe(true);
  });

  it('scans half a million invoices for an unindexed query and caps total_count at 10,000', async () => {
    const res = await h.call('GET', `/v1/invoices/search?query=${q('status:"void" total>100000')}&limit=100&expand[]=total_count`);
    expect(res.status).toBe(200);
    expect(res.body.data.every((i: { status: string; total: number }) => i.status === 'void' && i.total > 100000)).toBe(true);
    expect(res.body.total_count).toBeLessThanOrEqual(10_000);
    expect(res.body.total_count).toBeGreaterThan(100);
  });
});
