/**
 * `orderBy` on the CRM lists and the deal amount range, through the gateway against the
 * HubSpot emulator: the gateway sends the order as HubSpot search `sorts`, and the pages it
 * serves, read to the end with its cursors, are exactly HubSpot's own answer to that search.
 */
import fc from 'fast-check';
import { SANDBOX_CREDENTIALS } from '@switchboard/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_CACHE_ENV, startStack, type Stack } from './support/stack.ts';

const SEARCH = 'POST /crm/v3/objects/:type/search';

type ListField = 'contacts' | 'companies' | 'deals';

/** Each order's HubSpot property, as HubSpot's documentation names them (the model the gateway must follow). */
const SORT_PROPERTIES: Record<ListField, Record<string, string>> = {
  contacts: { CREATED_AT: 'createdate', UPDATED_AT: 'lastmodifieddate', LAST_NAME: 'lastname', EMAIL: 'email' },
  companies: { CREATED_AT: 'createdate', UPDATED_AT: 'hs_lastmodifieddate', NAME: 'name' },
  deals: {
    CREATED_AT: 'createdate',
    UPDATED_AT: 'hs_lastmodifieddate',
    CLOSE_DATE: 'closedate',
    AMOUNT: 'amount',
    NAME: 'dealname',
  },
};

interface Page {
  nodes: { id: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number | null;
}

interface SentSearch {
  query?: string;
  filterGroups: { filters: { propertyName: string; operator: string; value?: string }[] }[];
  sorts?: { propertyName: string; direction: string }[];
  limit: number;
  after?: string;
}

let stack: Stack;
beforeAll(async () => {
  // Every page read reaches HubSpot, so the searches sent can be counted page for page.
  stack = await startStack({
    world: { size: 120 },
    env: { ...NO_CACHE_ENV, CACHE_TTL_CONTACT_PAGE: '0', CACHE_TTL_COMPANY_PAGE: '0', CACHE_TTL_DEAL_PAGE: '0', RESPONSE_CACHE: '0' },
  });
});
afterAll(async () => stack?.close());

const crm = () => stack.sandbox.server('crm');

/** HubSpot's own answer to a search body, every result in its order (the emulator's 200-a-page limit, paged). */
async function vendorOrder(type: ListField, body: SentSearch): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = [];
  let after: string | undefined;
  let total: number;
  do {
    const response = await fetch(`${stack.sandbox.urls.crm}/crm/v3/objects/${type}/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.crm}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, limit: 200, after, properties: ['hs_object_id'] }),
    });
    const page = (await response.json()) as { total: number; results: { id: string }[]; paging?: { next?: { after: string } } };
    ids.push(...page.results.map((record) => record.id));
    total = page.total;
    after = page.paging?.next?.after;
  } while (after);
  return { ids, total };
}

/** Reads the list to the end with the gateway's cursors; returns the ids, the pages and the searches it sent. */
async function readAll(field: ListField, args: { first: number; orderBy?: string; filter?: Record<string, unknown> }) {
  const filterType = { contacts: 'ContactFilter', companies: 'CompanyFilter', deals: 'DealFilter' }[field];
  const orderType = { contacts: 'ContactOrder', companies: 'CompanyOrder', deals: 'DealOrder' }[field];
  const query = `query ($first: Int, $after: String, $filter: ${filterType}, $orderBy: ${orderType}) {
    list: ${field}(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      nodes { id } pageInfo { hasNextPage endCursor } totalCount } }`;
  const ids: string[] = [];
  const pages: Page[] = [];
  const before = crm().requests.entries.length;
  let after: string | null = null;
  for (let n = 0; n < 200; n++) {
    const result: { errors?: unknown[]; data?: { list: Page } | null } = await stack.query<{ list: Page }>(query, { ...args, after });
    expect(result.errors).toBeUndefined();
    const page: Page = result.data!.list;
    pages.push(page);
    ids.push(...page.nodes.map((node) => node.id));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  const searches = crm()
    .requests.entries.slice(before)
    .filter((entry) => entry.route === SEARCH)
    .map((entry) => JSON.parse(entry.body!) as SentSearch);
  return { ids, pages, searches };
}

const orders = (field: ListField) =>
  Object.keys(SORT_PROPERTIES[field]).flatMap((name) => [`${name}_ASC`, `${name}_DESC`]) as readonly string[];

describe('orderBy on the CRM lists', () => {
  it('property: any order, with or without a filter, at any page size, serves exactly HubSpot’s order for that sort, to the end (seed 20261208)', async () => {
    const field = fc.constantFrom<ListField>('contacts', 'companies', 'deals');
    const filterFor: Record<ListField, fc.Arbitrary<Record<string, unknown> | undefined>> = {
      contacts: fc.option(fc.constantFrom({ lifecycleStage: 'CUSTOMER' }, { lifecycleStage: 'LEAD' }, { name: 'a' }), { nil: undefined }),
      companies: fc.option(fc.constantFrom({ name: 'Group' }, { name: 'Labs' }), { nil: undefined }),
      deals: fc.option(
        fc.oneof(
          fc.constantFrom({ stage: 'CLOSED_WON' }, { stage: 'OTHER' }),
          fc
            .tuple(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 60_000 }))
            .map(([a, b]) => ({ amountFrom: Math.min(a, b), amountTo: Math.max(a, b) })),
        ),
        { nil: undefined },
      ),
    };
    const scenario = field.chain((list) =>
      fc.record({
        list: fc.constant(list),
        orderBy: fc.constantFrom(...orders(list)),
        filter: filterFor[list],
        first: fc.integer({ min: 7, max: 100 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ list, orderBy, filter, first }) => {
        const { ids, pages, searches } = await readAll(list, { first, orderBy, filter });
        // Every page was one HubSpot search carrying the order as its one sort property.
        expect(searches).toHaveLength(pages.length);
        const [name, direction] = [orderBy.replace(/_(ASC|DESC)$/, ''), orderBy.endsWith('_DESC') ? 'DESCENDING' : 'ASCENDING'];
        for (const sent of searches) expect(sent.sorts).toEqual([{ propertyName: SORT_PROPERTIES[list][name], direction }]);
        const vendor = await vendorOrder(list, searches[0]);
        expect(ids).toEqual(vendor.ids);
        for (const page of pages) expect(page.totalCount).toBe(vendor.total);
        expect(new Set(ids).size).toBe(ids.length);
      }),
      { seed: 20261208, numRuns: 30 },
    );
  });

  it("sorts a company's contacts by searching within them, and pages them stably", async () => {
    const companies = await stack.query<{ companies: { nodes: { id: string; contacts: { id: string }[] }[] } }>(
      '{ companies(first: 10) { nodes { id contacts(first: 50) { id } } } }',
    );
    expect(companies.errors).toBeUndefined();
    const company = companies.data!.companies.nodes.find((node) => node.contacts.length >= 3)!;
    const { ids, searches } = await readAll('contacts', { first: 2, orderBy: 'LAST_NAME_DESC', filter: { companyId: company.id } });
    expect(new Set(ids)).toEqual(new Set(company.contacts.map((contact) => contact.id)));
    expect(searches[0].filterGroups[0].filters).toEqual([
      { propertyName: 'hs_object_id', operator: 'IN', values: expect.arrayContaining(ids) },
    ]);
    expect(ids).toEqual((await vendorOrder('contacts', searches[0])).ids);
  });

  it('leaves an unordered, unfiltered list on the list endpoint: no search', async () => {
    const { searches } = await readAll('deals', { first: 100 });
    expect(searches).toEqual([]);
  });
});

describe('the deal amount range', () => {
  it('returns exactly the deals whose amount is within the range, as one search per page', async () => {
    const all = await stack.query<{ deals: { nodes: { id: string; amount: number | null }[] } }>(
      '{ deals(first: 100) { nodes { id amount } } }',
    );
    const amounts = all.data!.deals.nodes.map((deal) => deal.amount).filter((amount): amount is number => amount !== null);
    amounts.sort((a, b) => a - b);
    const [low, high] = [amounts[Math.floor(amounts.length / 4)], amounts[Math.floor((amounts.length * 3) / 4)]];
    const { ids, pages, searches } = await readAll('deals', { first: 100, filter: { amountFrom: low, amountTo: high } });
    expect(searches).toHaveLength(pages.length);
    for (const sent of searches)
      expect(sent.filterGroups).toEqual([
        {
          filters: [
            { propertyName: 'amount', operator: 'GTE', value: String(low) },
            { propertyName: 'amount', operator: 'LTE', value: String(high) },
          ],
        },
      ]);
    const read = await stack.query<{ deals: { nodes: { id: string; amount: number }[] } }>(
      'query ($filter: DealFilter) { deals(first: 100, filter: $filter) { nodes { id amount } } }',
      { filter: { amountFrom: low, amountTo: high } },
    );
    for (const deal of read.data!.deals.nodes) expect(deal.amount >= low && deal.amount <= high).toBe(true);
    // Every deal of the first page within the range is there (the world has fewer than 100 deals in range).
    const expected = all.data!.deals.nodes.filter((deal) => deal.amount !== null && deal.amount >= low && deal.amount <= high);
    expect(ids).toEqual(expect.arrayContaining(expected.map((deal) => deal.id)));
  });

  it('refuses a range whose start is above its end as BAD_USER_INPUT, before calling HubSpot', async () => {
    const before = crm().requests.total;
    const result = await stack.query('{ deals(filter: { amountFrom: 10, amountTo: 5 }) { nodes { id } } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/amountFrom/);
    expect(crm().requests.total).toBe(before);
  });
});
