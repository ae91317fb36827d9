/**
 * Invoice and customer filters through the gateway against the Stripe emulator: each filter
 * is served by Stripe's list endpoint where its filters can say it, else by one search, and
 * the pages, read to the end with the gateway's cursors, hold exactly the records a model of
 * the filter picks from the emulator's own data. A combination Stripe cannot express in one
 * request is refused before any call.
 */
import fc from 'fast-check';
import { SANDBOX_CREDENTIALS } from '@switchboard/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

const LIST = 'GET /v1/invoices';
const SEARCH = 'GET /v1/invoices/search';
const STATUSES = ['DRAFT', 'OPEN', 'PAID', 'UNCOLLECTIBLE', 'VOID'] as const;

interface WireInvoice {
  id: string;
  customer: string | null;
  status: string;
  created: number;
  due_date: number | null;
  total: number;
  currency: string;
}

interface WireCustomer {
  id: string;
  name: string | null;
  email: string | null;
}

let stack: Stack;
let invoices: WireInvoice[];
let customers: WireCustomer[];

/** Every object of a Stripe list, read from the emulator directly. */
async function vendorAll<T extends { id: string }>(path: string): Promise<T[]> {
  const all: T[] = [];
  let after: string | undefined;
  for (;;) {
    const query = `limit=100${after ? `&starting_after=${after}` : ''}`;
    const response = await fetch(`${stack.sandbox.urls.billing}${path}?${query}`, {
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.billing}` },
    });
    const page = (await response.json()) as { data: T[]; has_more: boolean };
    all.push(...page.data);
    if (!page.has_more) return all;
    after = page.data.at(-1)!.id;
  }
}

beforeAll(async () => {
  stack = await startStack({ world: { size: 40 }, env: { RESPONSE_CACHE: '0' } });
  invoices = await vendorAll<WireInvoice>('/v1/invoices');
  customers = await vendorAll<WireCustomer>('/v1/customers');
});
afterAll(async () => stack?.close());

const billing = () => stack.sandbox.server('billing');

interface Page {
  nodes: { id: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount?: number | null;
}

/** Reads a list to the end; each page's upstream requests are returned beside it. */
async function readAll(field: 'invoices' | 'customers', filter: Record<string, unknown>, first: number, withTotal = true) {
  const filterType = field === 'invoices' ? 'InvoiceFilter' : 'CustomerFilter';
  const query = `query ($first: Int, $after: String, $filter: ${filterType}) {
    list: ${field}(first: $first, after: $after, filter: $filter) { nodes { id } pageInfo { hasNextPage endCursor } ${withTotal ? 'totalCount' : ''} } }`;
  const ids: string[] = [];
  const pages: { page: Page; routes: string[]; searches: string[] }[] = [];
  let after: string | null = null;
  for (let n = 0; n < 100; n++) {
    const before = billing().requests.entries.length;
    const result: { errors?: { extensions?: Record<string, unknown> }[]; data?: { list: Page } | null } = await stack.query<{
      list: Page;
    }>(query, { first, after, filter });
    const sent = billing().requests.entries.slice(before);
    if (result.errors) return { errors: result.errors, ids, pages, sent };
    const page: Page = result.data!.list;
    pages.push({ page, routes: sent.map((entry) => entry.route), searches: sent.map((entry) => entry.search) });
    ids.push(...page.nodes.map((node) => node.id));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { errors: undefined, ids, pages, sent: [] };
}

interface Filter {
  status?: string;
  statuses?: string[];
  customerId?: string;
  createdFrom?: string;
  createdTo?: string;
  dueFrom?: string;
  dueTo?: string;
  totalFrom?: number;
  totalTo?: number;
  currency?: string;
}

const seconds = (iso: string | undefined) => (iso === undefined ? undefined : Math.floor(Date.parse(iso) / 1000));
const within = (value: number | null, from: number | undefined, to: number | undefined) =>
  value !== null && (from === undefined || value >= from) && (to === undefined || value <= to);

/** What the filter means, on the emulator's own records; or why it must be refused. */
function model(filter: Filter): { refused: true } | { refused: false; ids: Set<string>; search: boolean } {
  const statuses = filter.statuses ?? (filter.status ? [filter.status] : undefined);
  if (filter.status && filter.statuses) return { refused: true };
  if (statuses?.length === 0) return { refused: true };
  const ranges: [number | undefined, number | undefined][] = [
    [seconds(filter.createdFrom), seconds(filter.createdTo)],
    [seconds(filter.dueFrom), seconds(filter.dueTo)],
    [filter.totalFrom, filter.totalTo],
  ];
  if (ranges.some(([from, to]) => from !== undefined && to !== undefined && from > to)) return { refused: true };
  // Every status at once is no condition at all.
  const anyOf = statuses && new Set(statuses).size < STATUSES.length ? new Set(statuses) : undefined;
  const search = (anyOf?.size ?? 0) > 1 || filter.totalFrom !== undefined || filter.totalTo !== undefined || filter.currency !== undefined;
  if (search && (filter.dueFrom !== undefined || filter.dueTo !== undefined)) return { refused: true };
  const due = filter.dueFrom !== undefined || filter.dueTo !== undefined;
  const ids = invoices
    .filter(
      (invoice) =>
        (!statuses || statuses.map((s) => s.toLowerCase()).includes(invoice.status)) &&
        (!filter.customerId || invoice.customer === filter.customerId) &&
        (ranges[0].every((bound) => bound === undefined) || within(invoice.created, ...ranges[0])) &&
        (!due || within(invoice.due_date, ...ranges[1])) &&
        (ranges[2].every((bound) => bound === undefined) || within(invoice.total, ...ranges[2])) &&
        (!filter.currency || invoice.currency === filter.currency.toLowerCase()),
    )
    .map((invoice) => invoice.id);
  return { refused: false, ids: new Set(ids), search };
}

/** Instants and amounts taken from the data, so ranges cut through it (and sometimes miss it). */
const instant = () => fc.constantFrom(...invoices.map((i) => i.created), ...invoices.flatMap((i) => (i.due_date ? [i.due_date] : [])));
const iso = () => fc.tuple(instant(), fc.integer({ min: -2, max: 2 })).map(([s, nudge]) => new Date((s + nudge) * 1000).toISOString());
const amount = () => fc.oneof(fc.constantFrom(...invoices.map((i) => i.total)), fc.integer({ min: -100, max: 200_000 }));

/** A range: mostly in order, sometimes one-sided, now and then inverted (which must be refused). */
const range = <T>(value: fc.Arbitrary<T>, [from, to]: [string, string]) =>
  fc.tuple(value, value, fc.constantFrom('ordered', 'ordered', 'from', 'to', 'as drawn')).map(([a, b, shape]): Record<string, T> => {
    const [low, high] = a <= b ? [a, b] : [b, a];
    if (shape === 'from') return { [from]: low };
    if (shape === 'to') return { [to]: high };
    return shape === 'ordered' ? { [from]: low, [to]: high } : { [from]: a, [to]: b };
  });

/** One to three conditions, each drawn from the data so that they cut through it. */
const filters = (): fc.Arbitrary<Filter> => {
  const parts: fc.Arbitrary<Partial<Filter>>[] = [
    fc.constantFrom(...STATUSES).map((status) => ({ status })),
    fc.subarray([...STATUSES]).map((statuses) => ({ statuses })),
    fc.constantFrom(...invoices.flatMap((i) => (i.customer ? [i.customer] : []))).map((customerId) => ({ customerId })),
    range(iso(), ['createdFrom', 'createdTo']),
    range(iso(), ['dueFrom', 'dueTo']),
    range(amount(), ['totalFrom', 'totalTo']),
    fc.constantFrom('usd', 'USD', 'eur', 'chf').map((currency) => ({ currency })),
  ];
  return fc
    .subarray(parts, { minLength: 0, maxLength: 3 })
    .chain((chosen): fc.Arbitrary<Partial<Filter>[]> => (chosen.length === 0 ? fc.constant([]) : fc.tuple(...chosen)))
    .map((values) => Object.assign({}, ...values) as Filter);
};

describe('invoice filters', () => {
  it('property: any filter returns exactly the invoices it names, from its list or one search a page, or is refused before any call (seed 20261208)', async () => {
    await fc.assert(
      fc.asyncProperty(filters(), fc.integer({ min: 15, max: 100 }), async (filter, first) => {
        const expected = model(filter);
        const read = await readAll('invoices', filter as Record<string, unknown>, first);
        if (expected.refused) {
          expect(read.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
          expect(read.sent).toEqual([]);
          return;
        }
        expect(read.errors).toBeUndefined();
        expect(read.ids.length).toBe(new Set(read.ids).size);
        expect(new Set(read.ids)).toEqual(expected.ids);
        for (const { page, routes, searches } of read.pages) {
          // One Stripe request a page: the list where its filters say it all, else the search (counting, as selected).
          expect(routes).toEqual([expected.search ? SEARCH : LIST]);
          if (expected.search) {
            expect(new URLSearchParams(searches[0]).getAll('expand[]')).toEqual(['total_count']);
            expect(page.totalCount).toBe(expected.ids.size);
          } else expect(page.totalCount).toBeNull();
        }
      }),
      { seed: 20261208, numRuns: 100 },
    );
  });

  it('sends two statuses and a total range as one search of AND-ed clauses, the statuses as the others negated', async () => {
    const read = await readAll('invoices', { statuses: ['OPEN', 'UNCOLLECTIBLE'], totalFrom: 1000 }, 100, false);
    expect(read.errors).toBeUndefined();
    const query = new URLSearchParams(read.pages[0].searches[0]);
    expect(query.get('query')).toBe('total>=1000 AND -status:"draft" AND -status:"paid" AND -status:"void"');
    // Without totalCount selected, Stripe is not asked to count.
    expect(query.getAll('expand[]')).toEqual([]);
    const statuses = new Set(invoices.filter((i) => read.ids.includes(i.id)).map((i) => i.status));
    expect([...statuses].every((status) => status === 'open' || status === 'uncollectible')).toBe(true);
    expect(read.ids.length).toBeGreaterThan(0);
  });

  it('refuses two statuses with a due date, naming why, before calling Stripe', async () => {
    const read = await readAll('invoices', { statuses: ['OPEN', 'UNCOLLECTIBLE'], dueTo: new Date().toISOString() }, 20);
    expect(read.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect((read.errors?.[0] as { message?: string }).message).toMatch(/due date/);
    expect(read.sent).toEqual([]);
  });

  it('refuses a search cursor on a list and a list cursor on a search', async () => {
    const searched = await stack.query<{ invoices: Page }>('{ invoices(first: 2, filter: { totalFrom: 0 }) { pageInfo { endCursor } } }');
    const listed = await stack.query<{ invoices: Page }>('{ invoices(first: 2) { pageInfo { endCursor } } }');
    const onList = await stack.query('query ($after: String) { invoices(first: 2, after: $after) { nodes { id } } }', {
      after: searched.data!.invoices.pageInfo.endCursor,
    });
    const onSearch = await stack.query(
      'query ($after: String) { invoices(first: 2, after: $after, filter: { totalFrom: 0 }) { nodes { id } } }',
      {
        after: listed.data!.invoices.pageInfo.endCursor,
      },
    );
    expect(onList.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(onSearch.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('customer search', () => {
  it('finds customers by part of their name or email, case-insensitively, through one search a page', async () => {
    const named = customers.find((c) => c.name && c.name.length >= 5)!;
    const part = named.name!.slice(1, 5).toUpperCase();
    const read = await readAll('customers', { name: part }, 10);
    expect(read.errors).toBeUndefined();
    const expected = customers.filter((c) => c.name?.toLowerCase().includes(part.toLowerCase())).map((c) => c.id);
    expect(new Set(read.ids)).toEqual(new Set(expected));
    for (const { routes } of read.pages) expect(routes).toEqual(['GET /v1/customers/search']);
    expect(read.pages[0].page.totalCount).toBe(expected.length);

    const domain = named.email!.split('@')[1];
    const byEmail = await readAll('customers', { emailContains: domain, name: part }, 100);
    const both = customers.filter((c) => c.email?.toLowerCase().includes(domain.toLowerCase()) && expected.includes(c.id)).map((c) => c.id);
    expect(new Set(byEmail.ids)).toEqual(new Set(both));
  });

  it('property: any text of 3 to 30 characters (quotes, backslashes, any script) finds exactly the customers whose name contains it (seed 20261208)', async () => {
    const names = customers.flatMap((c) => (c.name ? [c.name] : []));
    // Parts of real names (so that some match), and anything at all.
    const part = fc
      .tuple(fc.constantFrom(...names), fc.nat(), fc.integer({ min: 3, max: 8 }))
      .map(([name, start, length]) => name.slice(start % Math.max(1, name.length - 3), (start % Math.max(1, name.length - 3)) + length))
      .filter((text) => text.trim().length >= 3);
    const text = fc.oneof(
      part,
      fc.string({ unit: 'grapheme', minLength: 3, maxLength: 30 }).filter((t) => t.trim().length >= 3),
    );
    await fc.assert(
      fc.asyncProperty(text, async (name) => {
        const read = await readAll('customers', { name }, 100);
        expect(read.errors).toBeUndefined();
        const wanted = name.trim().toLowerCase();
        const expected = customers.filter((c) => c.name?.toLowerCase().includes(wanted)).map((c) => c.id);
        expect(new Set(read.ids)).toEqual(new Set(expected));
      }),
      { seed: 20261208, numRuns: 80 },
    );
  });

  it('refuses a name shorter than Stripe searches (3 characters) before calling Stripe', async () => {
    const read = await readAll('customers', { name: 'ab' }, 10);
    expect(read.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(read.sent).toEqual([]);
  });
});
