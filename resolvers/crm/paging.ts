/**
 * Cursors and filters for the CRM lists: how a GraphQL page maps onto one HubSpot list or
 * search request.
 *
 * A cursor's vendor token is `<skip>:<after>`: "start at HubSpot's `after` token, then skip
 * this many records". HubSpot's list `after` is opaque and only marks page boundaries, so a
 * cursor in the middle of a page (an edge's own cursor) must remember the page start and
 * an offset into it; resuming from it re-reads that page from its start, one request as
 * usual. Search's `after` is a plain offset, so for search the two parts are folded into
 * one offset. Page-end cursors are HubSpot's own next token with skip 0.
 */
import {
  type PageRequest,
  type RecordPage,
  CRM_LIMITS,
  type SearchFilter,
  type SearchSort,
  DEAL_STAGE_VALUES,
  LIFECYCLE_STAGE_VALUES,
} from '../../src/systems/crm/index.ts';
import { GatewayError } from '../../src/errors.ts';
import { normalizeEmail } from '../../src/links/email.ts';
import type {
  CompanyFilter,
  CompanyOrder,
  ContactFilter,
  ContactOrder,
  DealFilter,
  DealOrder,
  DealStage,
  LifecycleStage,
} from '../../src/generated/crm.ts';
import { decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '../connection.ts';

interface Position {
  after: string | undefined;
  skip: number;
}

function readPosition(cursor: string | null | undefined): Position {
  const token = decodeCursor(cursor);
  if (token === undefined) return { after: undefined, skip: 0 };
  const match = /^(\d{1,6}):(.*)$/s.exec(token);
  if (!match)
    throw new GatewayError('BAD_USER_INPUT', 'after is not a cursor of this list', { fields: { after: 'cursor of another list' } });
  return { after: match[2] === '' ? undefined : match[2], skip: Number(match[1]) };
}

const positionToken = (after: string | undefined, skip: number) => `${skip}:${after ?? ''}`;

/**
 * Loads one client page with one HubSpot request (or none, when the page is cached).
 * `search` absent means HubSpot's list endpoint.
 */
export async function crmConnection<T>(
  load: (request: PageRequest) => Promise<RecordPage<T>>,
  args: PageArgs,
  search?: PageRequest['search'],
): Promise<Connection<T>> {
  const size = pageSize(args.first);
  let { after, skip } = readPosition(args.after);
  if (search && skip > 0 && (after === undefined || /^\d+$/.test(after))) {
    after = String(Number(after ?? 0) + skip);
    skip = 0;
  }
  const cap = search ? CRM_LIMITS.searchPage : CRM_LIMITS.listPage;
  // Resuming mid-page re-reads the page from its start; if that exceeds the vendor's page
  // size, the client page comes back shorter than `first` (still with a next cursor).
  let limit = Math.min(cap, skip + size);
  const offset = search && after !== undefined && /^\d+$/.test(after) ? Number(after) : 0;
  if (search) {
    const window = CRM_LIMITS.searchResultWindow;
    // HubSpot answers 400 past its 10,000-result window; say why instead.
    if (offset >= window) {
      throw new GatewayError('BAD_USER_INPUT', `HubSpot search returns at most ${window} results; narrow the filter`, {
        fields: { after: `beyond the first ${window} results` },
      });
    }
    limit = Math.min(limit, window - offset);
  }
  const page = await load({ limit, after, search });
  const nodes = page.records.slice(skip, skip + size);
  const moreOnPage = page.records.length > skip + size;
  // A next search page past the window could not be fetched: end the list there (totalCount still tells).
  const vendorNext =
    search && page.after !== null && /^\d+$/.test(page.after) && Number(page.after) >= CRM_LIMITS.searchResultWindow ? null : page.after;
  const nextToken = moreOnPage ? positionToken(after, skip + size) : vendorNext ? positionToken(vendorNext, 0) : null;
  return toConnection(nodes, {
    nextToken,
    cursorOf: (_node, index) => (index === nodes.length - 1 && nextToken ? nextToken : positionToken(after, skip + index + 1)),
    totalCount: page.total,
  });
}

// --- enums ----------------------------------------------------------------------------

/** Vendor value → enum member, from the CRM commands' member → value tables (checked here against the schema's enums). */
const byValue = <E extends string>(members: Readonly<Record<E, string>>): Readonly<Record<string, E>> =>
  Object.fromEntries(Object.entries(members).map(([member, value]) => [value, member])) as Record<string, E>;

export const LIFECYCLE_STAGES: Readonly<Record<string, LifecycleStage>> = byValue<LifecycleStage>(LIFECYCLE_STAGE_VALUES);
/** OTHER is every stage outside the default pipeline: it has no value of its own. */
export const DEAL_STAGES: Readonly<Record<string, DealStage>> = byValue<Exclude<DealStage, 'OTHER'>>(DEAL_STAGE_VALUES);

/** The enum member for a vendor value: known values map one to one, anything else is OTHER. */
export function toEnum<E extends string>(table: Readonly<Record<string, E>>, raw: string | null, other: E): E | null {
  if (raw === null || raw === '') return null;
  return Object.hasOwn(table, raw) ? table[raw] : other;
}

/** The filter for an enum member: OTHER means "none of the values the enum names". */
function enumFilter<E extends string>(propertyName: string, table: Readonly<Record<string, E>>, member: E): SearchFilter {
  const known = Object.keys(table);
  if (member === 'OTHER') {
    const named = known.filter((raw) => table[raw] !== 'OTHER');
    return { propertyName, operator: 'NOT_IN', values: named };
  }
  const raw = known.find((value) => table[value] === member)!;
  return { propertyName, operator: 'EQ', value: raw };
}

// --- filters --------------------------------------------------------------------------

const MAX_QUERY_LENGTH = 3000;

function objectId(field: string, value: string): string {
  const trimmed = value.trim();
  if (!/^\d{1,20}$/.test(trimmed)) {
    throw new GatewayError('BAD_USER_INPUT', `filter.${field} must be a HubSpot record ID (digits only)`, {
      fields: { [`filter.${field}`]: 'not a HubSpot ID' },
    });
  }
  return trimmed;
}

function present(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function toSearch(filters: SearchFilter[], query?: string): PageRequest['search'] {
  if (filters.length === 0 && query === undefined) return undefined;
  if (query !== undefined && query.length > MAX_QUERY_LENGTH) {
    throw new GatewayError('BAD_USER_INPUT', `filter.name may be at most ${MAX_QUERY_LENGTH} characters`, {
      fields: { 'filter.name': 'too long' },
    });
  }
  return { filterGroups: filters.length > 0 ? [{ filters }] : [], ...(query !== undefined ? { query } : {}) };
}

/** Search filters per group, one `hs_object_id IN` chunk each; HubSpot takes ≤ 100 values per IN. */
const IN_VALUES = 100;

/** True when the filter has conditions besides `companyId`. */
export function hasContactConditions(filter: ContactFilter): boolean {
  return [filter.email, filter.name, filter.lifecycleStageRaw, filter.ownerId].some(present) || Boolean(filter.lifecycleStage);
}

export { objectId as parseObjectId };

/**
 * Contact search filters. `companyIds` restricts the search to those contact ids (the
 * contacts of the filtered company, read through associations): HubSpot's search filters on
 * properties, so "at this company" becomes `hs_object_id IN (…)`, one chunk per filter group
 * with the other conditions repeated, within HubSpot's 5 groups / 25 filters.
 */
export function contactSearch(filter: ContactFilter | null | undefined, contactIds?: readonly string[]): PageRequest['search'] {
  if (!filter) return undefined;
  const filters: SearchFilter[] = [];
  if (present(filter.email)) filters.push({ propertyName: 'email', operator: 'EQ', value: normalizeEmail(filter.email) });
  if (filter.lifecycleStage) filters.push(enumFilter('lifecyclestage', LIFECYCLE_STAGES, filter.lifecycleStage));
  if (present(filter.lifecycleStageRaw))
    filters.push({ propertyName: 'lifecyclestage', operator: 'EQ', value: filter.lifecycleStageRaw.trim() });
  if (present(filter.ownerId))
    filters.push({ propertyName: 'hubspot_owner_id', operator: 'EQ', value: objectId('ownerId', filter.ownerId) });
  const query = present(filter.name) ? filter.name.trim() : undefined;
  if (contactIds === undefined) return toSearch(filters, query);
  const groups: { filters: SearchFilter[] }[] = [];
  for (let i = 0; i < contactIds.length; i += IN_VALUES) {
    groups.push({ filters: [...filters, { propertyName: 'hs_object_id', operator: 'IN', values: contactIds.slice(i, i + IN_VALUES) }] });
  }
  const total = groups.reduce((sum, group) => sum + group.filters.length, 0);
  if (groups.length > CRM_LIMITS.searchFilterGroups || total > CRM_LIMITS.searchFiltersTotal) {
    throw new GatewayError(
      'BAD_USER_INPUT',
      'This company has too many contacts to combine filter.companyId with other conditions; use companyId alone',
      {
        fields: { 'filter.companyId': 'too many contacts to combine with other conditions' },
      },
    );
  }
  const search = toSearch(filters, query);
  return { ...search, filterGroups: groups };
}

export function companySearch(filter: CompanyFilter | null | undefined): PageRequest['search'] {
  if (!filter) return undefined;
  const filters: SearchFilter[] = [];
  if (present(filter.name)) filters.push({ propertyName: 'name', operator: 'CONTAINS_TOKEN', value: filter.name.trim() });
  if (present(filter.domain)) filters.push({ propertyName: 'domain', operator: 'EQ', value: filter.domain.trim().toLowerCase() });
  return toSearch(filters);
}

export function dealSearch(filter: DealFilter | null | undefined): PageRequest['search'] {
  if (!filter) return undefined;
  const filters: SearchFilter[] = [];
  if (filter.stage) filters.push(enumFilter('dealstage', DEAL_STAGES, filter.stage));
  if (present(filter.stageRaw)) filters.push({ propertyName: 'dealstage', operator: 'EQ', value: filter.stageRaw.trim() });
  if (present(filter.ownerId))
    filters.push({ propertyName: 'hubspot_owner_id', operator: 'EQ', value: objectId('ownerId', filter.ownerId) });
  const from = filter.closeDateFrom ?? undefined;
  const to = filter.closeDateTo ?? undefined;
  if (from && to && from.getTime() > to.getTime()) {
    throw new GatewayError('BAD_USER_INPUT', 'filter.closeDateFrom is after filter.closeDateTo', {
      fields: { 'filter.closeDateFrom': 'after closeDateTo' },
    });
  }
  // HubSpot compares datetime properties as epoch milliseconds.
  if (from) filters.push({ propertyName: 'closedate', operator: 'GTE', value: String(from.getTime()) });
  if (to) filters.push({ propertyName: 'closedate', operator: 'LTE', value: String(to.getTime()) });
  const least = filter.amountFrom ?? undefined;
  const most = filter.amountTo ?? undefined;
  if (least !== undefined && most !== undefined && least > most) {
    throw new GatewayError('BAD_USER_INPUT', 'filter.amountFrom is more than filter.amountTo', {
      fields: { 'filter.amountFrom': 'more than amountTo' },
    });
  }
  if (least !== undefined) filters.push({ propertyName: 'amount', operator: 'GTE', value: String(least) });
  if (most !== undefined) filters.push({ propertyName: 'amount', operator: 'LTE', value: String(most) });
  return toSearch(filters);
}

// --- sorting --------------------------------------------------------------------------

type Sortable<E extends string> = Readonly<Record<E extends `${infer Field}_${'ASC' | 'DESC'}` ? Field : never, string>>;

/** Each order's HubSpot property; the member's suffix gives the direction. */
const CREATED_UPDATED = { CREATED_AT: 'createdate', UPDATED_AT: 'hs_lastmodifieddate' } as const;
const CONTACT_SORTS: Sortable<ContactOrder> = { ...CREATED_UPDATED, UPDATED_AT: 'lastmodifieddate', LAST_NAME: 'lastname', EMAIL: 'email' };
const COMPANY_SORTS: Sortable<CompanyOrder> = { ...CREATED_UPDATED, NAME: 'name' };
const DEAL_SORTS: Sortable<DealOrder> = { ...CREATED_UPDATED, CLOSE_DATE: 'closedate', AMOUNT: 'amount', NAME: 'dealname' };

function sortOf<E extends string>(properties: Sortable<E>, order: E): SearchSort {
  const descending = order.endsWith('_DESC');
  const field = order.slice(0, order.length - (descending ? '_DESC' : '_ASC').length) as keyof Sortable<E>;
  return { propertyName: properties[field], direction: descending ? 'DESCENDING' : 'ASCENDING' };
}

/** The search with the order applied: sorting is search's alone, so an order makes any list a search. */
function ordered<E extends string>(
  search: PageRequest['search'],
  properties: Sortable<E>,
  order: E | null | undefined,
): PageRequest['search'] {
  if (!order) return search;
  return { ...(search ?? { filterGroups: [] }), sorts: [sortOf(properties, order)] };
}

export const orderContacts = (search: PageRequest['search'], order: ContactOrder | null | undefined) =>
  ordered(search, CONTACT_SORTS, order);
export const orderCompanies = (search: PageRequest['search'], order: CompanyOrder | null | undefined) =>
  ordered(search, COMPANY_SORTS, order);
export const orderDeals = (search: PageRequest['search'], order: DealOrder | null | undefined) => ordered(search, DEAL_SORTS, order);
