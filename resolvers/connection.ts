/**
 * Relay-style connections over each vendor's own paging. A cursor is opaque to clients:
 * it wraps the vendor's token (HubSpot `after`, Stripe object id / search `page`, Slack
 * `next_cursor`) so paging maps onto one upstream page per client page.
 */
import { GatewayError } from '../src/errors.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number | null;
}

/** Validates `first` before anything goes upstream. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new GatewayError('BAD_USER_INPUT', `first must be between 1 and ${MAX_PAGE_SIZE}`, {
      fields: { first: `must be between 1 and ${MAX_PAGE_SIZE}` },
    });
  }
  return first;
}

export function encodeCursor(vendorToken: string): string {
  return Buffer.from(`v1:${vendorToken}`, 'utf8').toString('base64url');
}

/** Returns the vendor token, or throws BAD_USER_INPUT for a cursor we did not issue. */
export function decodeCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('v1:')) {
    throw new GatewayError('BAD_USER_INPUT', 'after is not a cursor this API issued', { fields: { after: 'unknown cursor' } });
  }
  return text.slice(3);
}

/**
 * Builds a connection from one vendor page. `cursorOf(node, index)` yields the vendor token
 * that continues after that node; `nextToken` continues after the page.
 */
export function toConnection<T>(
  nodes: T[],
  options: {
    nextToken: string | null | undefined;
    cursorOf: (node: T, index: number) => string;
    totalCount?: number | null;
    hasPreviousPage?: boolean;
  },
): Connection<T> {
  const edges = nodes.map((node, i) => ({ cursor: encodeCursor(options.cursorOf(node, i)), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: Boolean(options.nextToken),
      hasPreviousPage: options.hasPreviousPage ?? false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: options.nextToken ? encodeCursor(options.nextToken) : (edges.at(-1)?.cursor ?? null),
    },
    totalCount: options.totalCount ?? null,
  };
}

// --- lists known in full --------------------------------------------------------------

/** A list known in full pages by offset: `<n>:` continues after its n-th item. */
const OFFSET_TOKEN = /^(\d{1,6}):$/;

function readOffset(after: string | null | undefined): number {
  const token = decodeCursor(after);
  if (token === undefined) return 0;
  const match = OFFSET_TOKEN.exec(token);
  if (!match)
    throw new GatewayError('BAD_USER_INPUT', 'after is not a cursor of this list', { fields: { after: 'cursor of another list' } });
  return Number(match[1]);
}

const offsetToken = (offset: number) => `${offset}:`;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** A connection over records in hand (a directory, a filtered link list); the total is exact. */
export function offsetConnection<T>(records: readonly T[], args: PageArgs): Connection<T> {
  const size = pageSize(args.first);
  const skip = readOffset(args.after);
  const nodes = records.slice(skip, skip + size);
  return toConnection(nodes, {
    nextToken: skip + size < records.length ? offsetToken(skip + size) : null,
    cursorOf: (_node, index) => offsetToken(skip + index + 1),
    totalCount: records.length,
  });
}

/** Refuses bad paging arguments of an offset list before anything goes upstream. */
export function checkOffsetPage(args: PageArgs): void {
  pageSize(args.first);
  readOffset(args.after);
}

/** `idListConnection` over ids read only once the paging arguments are known to be good. */
export async function lazyIdListConnection<T>(
  args: PageArgs,
  ids: () => Promise<readonly string[] | null | undefined>,
  records: { loadMany(ids: readonly string[]): Promise<(T | null | Error)[]> },
): Promise<Connection<T>> {
  checkOffsetPage(args);
  return idListConnection((await ids()) ?? [], args, (page) => records.loadMany(page));
}

/**
 * A connection over a known list of ids (a record's associations): cursors are offsets into
 * it, and only the page's records are loaded. A record gone meanwhile is left out, and the
 * others keep their positions, so cursors stay true.
 */
export async function idListConnection<T>(
  ids: readonly string[],
  args: PageArgs,
  loadMany: (ids: readonly string[]) => Promise<(T | null | Error)[]>,
): Promise<Connection<T>> {
  const size = pageSize(args.first);
  const skip = readOffset(args.after);
  const slice = ids.slice(skip, skip + size);
  const loaded = slice.length > 0 ? await loadMany(slice) : [];
  const failure = loaded.find((value): value is Error => value instanceof Error);
  if (failure) throw failure;
  const positioned = loaded.flatMap((record, index) => (record === null ? [] : [{ record: record as T, position: skip + index + 1 }]));
  const connection = toConnection(positioned, {
    nextToken: skip + size < ids.length ? offsetToken(skip + size) : null,
    cursorOf: (node) => offsetToken(node.position),
    totalCount: ids.length,
  });
  return {
    ...connection,
    edges: connection.edges.map((edge) => ({ cursor: edge.cursor, node: edge.node.record })),
    nodes: positioned.map((node) => node.record),
  };
}
