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
