/**
 * Search: Stripe's query language (clauses, AND/OR without mixing, ≤ 10 clauses, negation,
 * exact/substring/numeric operators, metadata, null) with `page`/`next_page` paging, over an
 * index that lags writes by `knobs.searchLagMs`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillingHarness, q, startBilling } from './billing-helpers.ts';

let h: BillingHarness;
const LAG = 300;

beforeAll(async () => {
  h = await startBilling({ knobs: { searchLagMs: 0 } });
});

afterAll(async () => {
  await h?.close();
});

const search = (resource: string, query: string, extra = '') => h.call('GET', `/v1/${resource}/search?query=${q(query)}${extra}`);
const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((d) => d.id);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('query language', () => {
  let ada: string;
  let grace: string;

  beforeAll(async () => {
    ada = (
      await h.call('POST', '/v1/customers', {
        form: 'email=ada.search%40example.com&name=Ada%20King%20Lovelace&phone=%2B44-100&metadata[hubspot_contact_id]=777001&metadata[tier]=gold',
      })
    ).body.id;
    grace = (
      await h.call('POST', '/v1/customers', {
        form: 'email=grace.search%40example.com&name=Grace%20Hopper&metadata[hubspot_contact_id]=777002',
      })
    ).body.id;
  });

  it('matches an exact email case-insensitively', async () => {
    expect(ids(await search('customers', 'email:"ADA.search@Example.com"'))).toEqual([ada]);
  });

  it('matches words of a string field in order with ":"', async () => {
    expect(ids(await search('customers', 'name:"king lovelace"'))).toEqual([ada]);
    expect(ids(await search('customers', 'name:"lovelace king"'))).toEqual([]);
  });

  it('matches substrings of at least three characters with "~"', async () => {
    expect(ids(await search('customers', 'email~"search@exa"')).sort()).toEqual([ada, grace].sort());
    const short = await search('customers', 'email~"ad"');
    expect(short.status).toBe(400);
    expect(short.body.error.param).toBe('query');
  });

  it('matches metadata["key"] exactly', async () => {
    expect(ids(await search('customers', 'metadata["hubspot_contact_id"]:"777002"'))).toEqual([grace]);
  });

  it('joins clauses with AND, by whitespace or keyword', async () => {
    expect(ids(await search('customers', 'metadata["tier"]:"gold" email~"search"'))).toEqual([ada]);
    expect(ids(await search('customers', 'metadata["tier"]:"gold" AND name:"grace"'))).toEqual([]);
  });

  it('joins clauses with OR, as a batch lookup of ids', async () => {
    const res = await search(
      'customers',
      'metadata["hubspot_contact_id"]:"777001" OR metadata["hubspot_contact_id"]:"777002" or metadata["hubspot_contact_id"]:"nope"',
    );
    expect(ids(res).sort()).toEqual([ada, grace].sort());
  });

  it('rejects a query that mixes AND and OR', async () => {
    for (const query of ['email:"a@b.c" AND name:"x" OR name:"y"', 'email:"a@b.c" name:"x" OR name:"y"']) {
      const res = await search('customers', query);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/cannot mix AND and OR/);
    }
  });

  it('rejects more than ten clauses and accepts exactly ten', async () => {
    const clause = (i: number) => `metadata["hubspot_contact_id"]:"${777000 + i}"`;
    const ten = Array.from({ length: 10 }, (_, i) => clause(i)).join(' OR ');
    expect((await search('customers', ten)).status).toBe(200);
    const eleven = await search('customers', `${ten} OR ${clause(10)}`);
    expect(eleven.status).toBe(400);
    expect(eleven.body.error.message).toMatch(/more than 10 clauses/);
  });

  it('negates a clause with "-"', async () => {
    const res = await search('customers', 'email~"search@example" -name:"grace"');
    expect(ids(res)).toEqual([ada]);
  });

  it('finds missing values with field:null and present ones with -field:null', async () => {
    expect(ids(await search('customers', 'email~"search@example" phone:null'))).toEqual([grace]);
    expect(ids(await search('customers', 'email~"search@example" -phone:null'))).toEqual([ada]);
  });

  it('compares numbers, bare or against created', async () => {
    const res = await search('invoices', 'total>100000 status:"paid"', '&limit=50');
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    expect(res.body.data.every((i: { total: number; status: string }) => i.total > 100000 && i.status === 'paid')).toBe(true);
    const created = (await h.call('GET', `/v1/customers/${ada}`)).body.created;
    expect(ids(await search('customers', `created>=${created} email~"ada.search"`))).toEqual([ada]);
    expect(ids(await search('customers', `created<${created} email~"ada.search"`))).toEqual([]);
  });

  it('handles quoted strings with escaped quotes', async () => {
    const id = (await h.call('POST', '/v1/customers', { form: `name=${encodeURIComponent('The "Quoted" Co')}` })).body.id;
    expect(ids(await search('customers', 'name:"the \\"quoted\\" co"'))).toEqual([id]);
  });

  it('rejects unquoted strings, parentheses, unknown fields and wrong operators', async () => {
    for (const query of ['status:paid', '(status:"paid")', 'colour:"red"', 'status~"pai"', 'email>"a"', 'metadata:"x"']) {
      const res = await search('invoices', query);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'query' });
    }
  });

  it('requires a query', async () => {
    const res = await h.call('GET', '/v1/customers/search');
    expect(res.body.error).toMatchObject({ code: 'parameter_missing', param: 'query' });
  });

  it('searches invoices, subscriptions, charges and payment intents by their fields', async () => {
    const inv = (await h.call('GET', '/v1/invoices?limit=1&status=open')).body.data[0];
    expect(ids(await search('invoices', `customer:"${inv.customer}" status:"open"`))).toContain(inv.id);
    expect(ids(await search('invoices', `number:"${inv.number}"`))).toEqual([inv.id]);
    const sub = (await h.call('GET', '/v1/subscriptions?limit=1&status=canceled')).body.data[0];
    expect(ids(await search('subscriptions', `status:"canceled" canceled_at>=${sub.canceled_at}`, '&limit=100'))).toContain(sub.id);
    const failed = await search('charges', 'status:"failed"');
    expect(failed.body.data.every((c: { status: string }) => c.status === 'failed')).toBe(true);
    const ch = failed.body.data[0];
    expect(
      ids(await search('charges', `payment_method_details.card.last4:"${ch.payment_method_details.card.last4}" customer:"${ch.customer}"`)),
    ).toContain(ch.id);
    const pis = await search('payment_intents', `customer:"${ch.customer}" amount:${ch.amount}`);
    expect(ids(pis)).toContain(ch.payment_intent);
  });
});

describe('paging search results', () => {
  it('pages with next_page to the end without repeats and reports total_count', async () => {
    const first = await search('invoices', 'status:"paid"', '&limit=100&expand[]=total_count');
    const total = first.body.total_count;
    expect(total).toBeGreaterThan(100);
    const seen = new Set<string>(ids(first));
    let page = first.body;
    while (page.has_more) {
      expect(page.next_page).toEqual(expect.any(String));
      page = (await search('invoices', 'status:"paid"', `&limit=100&page=${encodeURIComponent(page.next_page)}`)).body;
      for (const id of ids({ body: page })) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    }
    expect(page.next_page).toBeNull();
    expect(seen.size).toBe(total);
  });

  it('rejects a page token from another query', async () => {
    const first = await search('invoices', 'status:"paid"', '&limit=1');
    const res = await search('invoices', 'status:"open"', `&page=${encodeURIComponent(first.body.next_page)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe('page');
  });
});

describe('index lag', () => {
  beforeAll(async () => {
    await h.knobs({ searchLagMs: LAG });
  });

  afterAll(async () => {
    await h.knobs({ searchLagMs: 0 });
  });

  it('does not see a new customer until the lag has passed, while GET sees it at once', async () => {
    const id = (await h.call('POST', '/v1/customers', { form: 'email=laggy%40example.com&metadata[hubspot_contact_id]=888001' })).body.id;
    expect((await h.call('GET', `/v1/customers/${id}`)).status).toBe(200);
    expect(ids(await search('customers', 'email:"laggy@example.com"'))).toEqual([]);
    expect(ids(await search('customers', 'metadata["hubspot_contact_id"]:"888001"'))).toEqual([]);
    await sleep(LAG + 100);
    expect(ids(await search('customers', 'email:"laggy@example.com"'))).toEqual([id]);
    expect(ids(await search('customers', 'metadata["hubspot_contact_id"]:"888001"'))).toEqual([id]);
  });

  it('matches an updated customer on its previous values until the lag has passed', async () => {
    const id = (await h.call('POST', '/v1/customers', { form: 'email=before%40example.com' })).body.id;
    await sleep(LAG + 100);
    const updated = await h.call('POST', `/v1/customers/${id}`, { form: 'email=after%40example.com' });
    expect(updated.body.email).toBe('after@example.com');
    const stale = await search('customers', 'email:"before@example.com"');
    // The stale match returns the object as it is now.
    expect(stale.body.data.map((c: { id: string; email: string }) => [c.id, c.email])).toEqual([[id, 'after@example.com']]);
    expect(ids(await search('customers', 'email:"after@example.com"'))).toEqual([]);
    await sleep(LAG + 100);
    expect(ids(await search('customers', 'email:"before@example.com"'))).toEqual([]);
    expect(ids(await search('customers', 'email:"after@example.com"'))).toEqual([id]);
  });

  it('keeps returning a deleted customer until the lag has passed', async () => {
    const id = (await h.call('POST', '/v1/customers', { form: 'email=gone%40example.com' })).body.id;
    await sleep(LAG + 100);
    await h.call('DELETE', `/v1/customers/${id}`);
    expect(ids(await search('customers', 'email:"gone@example.com"'))).toEqual([id]);
    await sleep(LAG + 100);
    expect(ids(await search('customers', 'email:"gone@example.com"'))).toEqual([]);
  });

  it('sees a paid invoice as open until the lag has passed (scan path)', async () => {
    const c = (await h.call('POST', '/v1/customers', { form: 'email=lagpay%40example.com' })).body.id;
    const inv = (await h.call('POST', '/v1/invoices', { form: `customer=${c}&metadata[lagtest]=1` })).body.id;
    await h.call('POST', '/v1/invoiceitems', { form: `customer=${c}&invoice=${inv}&amount=4321&currency=usd` });
    await h.call('POST', `/v1/invoices/${inv}/finalize`);
    await sleep(LAG + 100);
    await h.call('POST', `/v1/invoices/${inv}/pay`);
    expect(ids(await search('invoices', 'total:4321 status:"open"'))).toEqual([inv]);
    expect(ids(await search('invoices', 'total:4321 status:"paid"'))).toEqual([]);
    await sleep(LAG + 100);
    expect(ids(await search('invoices', 'total:4321 status:"paid"'))).toEqual([inv]);
  });
});
