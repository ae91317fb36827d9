/**
 * How a page of `customers` or `invoices` maps onto Stripe: its list endpoint where the list
 * filters can say it, else its search. A list cursor is the last object's id (Stripe's
 * `starting_after`); a search cursor is `search:<skip>:<page>`, "Stripe's `page` token, then
 * skip this many", since a search page token marks only page starts: resuming from an edge
 * in the middle of a page re-reads that page, one request as usual.
 */
import { GatewayError } from '../../src/errors.ts';
import {
  INVOICE_STATUSES,
  STRIPE_MAX_LIMIT,
  type Bounds,
  type CustomerConditions,
  type InvoiceConditions,
  type ListInvoicesParams,
  type ListParams,
  type SearchParams,
  type StripeSearchResult,
} from '../../src/systems/billing/index.ts';
import type { CustomerFilter, InvoiceFilter, InvoiceStatus } from '../../src/generated/billing.ts';
import { decodeCursor, pageSize, toConnection, type Connection } from '../connection.ts';
import { invoiceStatus } from './statuses.ts';

const SEARCH_TOKEN = /^search:(\d{1,3}):(.*)$/s;

const notThisList = () =>
  new GatewayError('BAD_USER_INPUT', 'after is not a cursor of this list', { fields: { after: 'cursor of another list or filter' } });

/** Paging of a list endpoint; a search cursor belongs to another list. */
export function listParams(first: number | null | undefined, after: string | null | undefined): ListParams {
  const limit = pageSize(first);
  const startingAfter = decodeCursor(after);
  if (startingAfter !== undefined && SEARCH_TOKEN.test(startingAfter)) throw notThisList();
  return { limit, startingAfter };
}

/** Stripe lists continue after the last object id of a page. */
export function listConnection<T extends { id: string }>(page: { data: T[]; has_more: boolean }): Connection<T> {
  return toConnection(page.data, {
    nextToken: page.has_more ? page.data.at(-1)?.id : null,
    cursorOf: (node) => node.id,
  });
}

const searchToken = (page: string | undefined, skip: number) => `search:${skip}:${page ?? ''}`;

/** One client page from one Stripe search page (re-read from its start when resuming mid-page). */
export async function searchConnection<T>(
  load: (params: SearchParams) => Promise<StripeSearchResult<T>>,
  args: { first?: number | null; after?: string | null },
  totalCount: boolean,
): Promise<Connection<T>> {
  const size = pageSize(args.first);
  const token = decodeCursor(args.after);
  const match = token === undefined ? null : SEARCH_TOKEN.exec(token);
  if (token !== undefined && (!match || Number(match[1]) >= STRIPE_MAX_LIMIT)) throw notThisList();
  const skip = match ? Number(match[1]) : 0;
  const page = match && match[2] !== '' ? match[2] : undefined;
  // Resuming mid-page past Stripe's page size leaves this client page shorter than `first` (still with a next cursor).
  const result = await load({ limit: Math.min(STRIPE_MAX_LIMIT, skip + size), page, totalCount });
  const nodes = result.data.slice(skip, skip + size);
  const nextToken =
    result.data.length > skip + size
      ? searchToken(page, skip + size)
      : result.has_more && result.next_page
        ? searchToken(result.next_page, 0)
        : null;
  return toConnection(nodes, {
    nextToken,
    cursorOf: (_node, index) => (index === nodes.length - 1 && nextToken ? nextToken : searchToken(page, skip + index + 1)),
    totalCount: result.total_count ?? null,
  });
}

// --- filters --------------------------------------------------------------------------

function refuse(field: string, message: string, why: string): never {
  throw new GatewayError('BAD_USER_INPUT', message, { fields: { [`filter.${field}`]: why } });
}

const toUnix = (date: Date) => Math.floor(date.getTime() / 1000);

function bounds(from: Date | number | null | undefined, to: Date | number | null | undefined, names: [string, string]): Bounds | undefined {
  const value = (bound: Date | number | null | undefined) =>
    bound === null || bound === undefined ? undefined : bound instanceof Date ? toUnix(bound) : bound;
  const range = { gte: value(from), lte: value(to) };
  if (range.gte === undefined && range.lte === undefined) return undefined;
  if (range.gte !== undefined && range.lte !== undefined && range.gte > range.lte)
    refuse(names[0], `filter.${names[0]} must not be after filter.${names[1]}`, `is after ${names[1]}`);
  return range;
}

function substring(field: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  // Stripe's `~` needs three characters; the cap keeps one clause from filling the query.
  if (text.length < 3 || text.length > 200) refuse(field, `filter.${field} must be 3 to 200 characters`, 'must be 3 to 200 characters');
  return text;
}

function currencyCode(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!/^[a-z]{3}$/i.test(value.trim()))
    refuse('currency', 'filter.currency must be a three-letter ISO code such as usd', 'not an ISO code');
  return value.trim().toLowerCase();
}

/** The statuses asked for, as Stripe values: `status` and `statuses` are one condition. */
function statusSet(filter: InvoiceFilter): InvoiceConditions['statuses'] {
  if (filter.status && filter.statuses) refuse('statuses', 'Give filter.status or filter.statuses, not both', 'not with status');
  const asked: InvoiceStatus[] | undefined = filter.statuses ?? (filter.status ? [filter.status] : undefined);
  if (!asked) return undefined;
  if (asked.length === 0) refuse('statuses', 'filter.statuses must name at least one status', 'empty');
  const field = filter.statuses ? 'filter.statuses' : 'status';
  const statuses = [...new Set(asked.map((status) => invoiceStatus.toRaw(status, field) as (typeof INVOICE_STATUSES)[number]))];
  // Every status is no condition (and would leave search nothing to negate).
  return statuses.length === INVOICE_STATUSES.length ? undefined : statuses;
}

export type InvoiceQuery = { list: Omit<ListInvoicesParams, keyof ListParams> } | { search: InvoiceConditions };

/**
 * The list endpoint when its filters can say it all; else search. Search has no due date
 * and the list no status set, amount or currency, so a due range beside those is refused.
 */
export function invoiceQuery(filter: InvoiceFilter | null | undefined): InvoiceQuery {
  if (!filter) return { list: {} };
  const statuses = statusSet(filter);
  const created = bounds(filter.createdFrom, filter.createdTo, ['createdFrom', 'createdTo']);
  const dueDate = bounds(filter.dueFrom, filter.dueTo, ['dueFrom', 'dueTo']);
  const total = bounds(filter.totalFrom, filter.totalTo, ['totalFrom', 'totalTo']);
  const currency = currencyCode(filter.currency);
  const customer = filter.customerId ?? undefined;
  const searchOnly = (statuses !== undefined && statuses.length > 1) || total !== undefined || currency !== undefined;
  if (!searchOnly) return { list: { customer, status: statuses?.[0], created, dueDate } };
  if (dueDate) {
    refuse(
      filter.dueFrom ? 'dueFrom' : 'dueTo',
      'Stripe cannot filter invoices by due date together with several statuses, an amount or a currency: its search has no due date, and its list filters one status and no amount. Drop one of the two.',
      'not with statuses, totals or currency',
    );
  }
  const search = { customer, created, total, currency, statuses };
  return { search: Object.fromEntries(Object.entries(search).filter(([, value]) => value !== undefined)) as InvoiceConditions };
}

/** Search conditions, or undefined when the list's exact, case-sensitive `email` filter says it all. */
export function customerConditions(filter: CustomerFilter | null | undefined): CustomerConditions | undefined {
  const nameContains = substring('name', filter?.name);
  const emailContains = substring('emailContains', filter?.emailContains);
  if (nameContains === undefined && emailContains === undefined) return undefined;
  const email = filter?.email ?? undefined;
  return {
    ...(email !== undefined ? { email } : {}),
    ...(nameContains ? { nameContains } : {}),
    ...(emailContains ? { emailContains } : {}),
  };
}
