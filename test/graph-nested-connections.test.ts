/**
 * Every list that hangs off a record pages with the same first/after/pageInfo/totalCount
 * shape as the top-level lists: read to the end with its cursors, a nested connection holds
 * exactly what its deprecated array field holds, in the same order, each page bounded by
 * `first`, with `totalCount` counting them all.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

interface Page {
  nodes: { id: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number | null;
}

/** A nested list: how to reach its parent by id, its connection field and the array field it replaces. */
interface NestedList {
  parent: 'contact' | 'company' | 'deal' | 'customer';
  connection: string;
  array: string;
  args?: string;
}

const LISTS: NestedList[] = [
  { parent: 'contact', connection: 'companiesConnection', array: 'companies' },
  { parent: 'contact', connection: 'dealsConnection', array: 'deals(first: 100)' },
  { parent: 'contact', connection: 'invoicesConnection', array: 'invoices' },
  { parent: 'contact', connection: 'subscriptionsConnection', array: 'subscriptions' },
  { parent: 'company', connection: 'contactsConnection', array: 'contacts(first: 100)' },
  { parent: 'company', connection: 'dealsConnection', array: 'deals(first: 100)' },
  { parent: 'company', connection: 'billingCustomersConnection', array: 'billingCustomers' },
  { parent: 'deal', connection: 'contactsConnection', array: 'contacts' },
  { parent: 'customer', connection: 'invoicesConnection', array: 'invoices' },
  { parent: 'customer', connection: 'subscriptionsConnection', array: 'subscriptions' },
  { parent: 'customer', connection: 'chargesConnection', array: 'charges' },
];

const STATUSES = ['DRAFT', 'OPEN', 'PAID', 'UNCOLLECTIBLE', 'VOID', 'OTHER'] as const;

let stack: Stack;
const parents: Record<NestedList['parent'], string[]> = { contact: [], company: [], deal: [], customer: [] };

beforeAll(async () => {
  stack = await startStack({ world: { size: 60 }, env: { RESPONSE_CACHE: '0' } });
  const ids = await stack.query<Record<string, { nodes: { id: string }[] }>>(
    `{ contacts(first: 60) { nodes { id } } companies(first: 30) { nodes { id } } deals(first: 40) { nodes { id } }
       customers(first: 60) { nodes { id } } }`,
  );
  expect(ids.errors).toBeUndefined();
  parents.contact = ids.data!.contacts.nodes.map((node) => node.id);
  parents.company = ids.data!.companies.nodes.map((node) => node.id);
  parents.deal = ids.data!.deals.nodes.map((node) => node.id);
  parents.customer = ids.data!.customers.nodes.map((node) => node.id);
});
afterAll(async () => stack?.close());

async function arrayOf(list: NestedList, id: string, statuses?: string[]): Promise<{ id: string; status?: string }[]> {
  const array = list.array.replace(/^invoices$/, 'invoices { id status }');
  const query = `query ($id: ID!) { record: ${list.parent}(id: $id) { list: ${array.includes('{') ? array : `${array} { id }`} } }`;
  const result = await stack.query<{ record: { list: { id: string; status?: string }[] | null } }>(query, { id });
  expect(result.errors).toBeUndefined();
  const all = result.data!.record.list ?? [];
  return statuses ? all.filter((item) => statuses.includes(item.status!)) : all;
}

async function pagesOf(list: NestedList, id: string, first: number, statuses?: string[]) {
  const extra = statuses ? ', $statuses: [InvoiceStatus!]' : '';
  const query = `query ($id: ID!, $first: Int, $after: String${extra}) { record: ${list.parent}(id: $id) {
    list: ${list.connection}(first: $first, after: $after${statuses ? ', statuses: $statuses' : ''}) {
      nodes { id } pageInfo { hasNextPage endCursor } totalCount } } }`;
  const pages: Page[] = [];
  let after: string | null = null;
  for (let n = 0; n < 500; n++) {
    const result: { errors?: unknown[]; data?: { record: { list: Page } } | null } = await stack.query<{ record: { list: Page } }>(query, {
      id,
      first,
      after,
      statuses,
    });
    expect(result.errors).toBeUndefined();
    const page: Page = result.data!.record.list;
    pages.push(page);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return pages;
}

describe('nested connections', () => {
  it('property: any nested list read to the end a page at a time is its whole array field, in order, bounded, counted (seed 20261208)', async () => {
    const scenario = fc.record({
      list: fc.constantFrom(...LISTS),
      pick: fc.nat(),
      first: fc.integer({ min: 1, max: 7 }),
      statuses: fc.option(fc.subarray([...STATUSES], { minLength: 1 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ list, pick, first, statuses }) => {
        const ids = parents[list.parent];
        const id = ids[pick % ids.length];
        const filtered = list.connection === 'invoicesConnection' ? statuses : undefined;
        const expected = (await arrayOf(list, id, filtered)).map((item) => item.id);
        const pages = await pagesOf(list, id, first, filtered);
        const read = pages.flatMap((page) => page.nodes.map((node) => node.id));
        expect(read).toEqual(expected);
        for (const page of pages) {
          expect(page.nodes.length).toBeLessThanOrEqual(first);
          expect(page.totalCount).toBe(expected.length);
        }
        expect(pages).toHaveLength(Math.max(1, Math.ceil(expected.length / first)));
      }),
      { seed: 20261208, numRuns: 120 },
    );
  });

  it('stops at its bound: a customer with many invoices answers one page of first, the rest by cursor', async () => {
    const counts = await stack.query<{ customers: { nodes: { id: string; invoicesConnection: Page }[] } }>(
      '{ customers(first: 60) { nodes { id invoicesConnection(first: 1) { nodes { id } pageInfo { hasNextPage endCursor } totalCount } } } }',
    );
    expect(counts.errors).toBeUndefined();
    const busiest = counts.data!.customers.nodes.reduce((a, b) =>
      b.invoicesConnection.totalCount! > a.invoicesConnection.totalCount! ? b : a,
    );
    expect(busiest.invoicesConnection.totalCount).toBeGreaterThan(3);
    expect(busiest.invoicesConnection.nodes).toHaveLength(1);
    expect(busiest.invoicesConnection.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses first above 100, an empty status set and a cursor of another list as BAD_USER_INPUT, before calling a vendor', async () => {
    const [customer] = parents.customer;
    const [company] = parents.company;
    stack.resetCounts();
    const tooMany = await stack.query(`{ customer(id: "${customer}") { invoicesConnection(first: 101) { nodes { id } } } }`);
    const noStatus = await stack.query(`{ customer(id: "${customer}") { invoicesConnection(statuses: []) { nodes { id } } } }`);
    const foreign = await stack.query(`{ company(id: "${company}") { contactsConnection(after: "bm90LW91cnM") { nodes { id } } } }`);
    for (const result of [tooMany, noStatus, foreign]) expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // The parents themselves were read (one each), nothing for the refused lists.
    expect(stack.counts().billing + stack.counts().crm).toBeLessThanOrEqual(2);
  });
});
