/** The JSON value every renderer returns, and Stripe's list envelope (top-level lists and embedded ones). */

export type Json = Record<string, unknown>;

/** Lists embedded in objects (`invoice.lines`, `subscription.items`) show this many entries. */
export const EMBEDDED_LIST_LIMIT = 10;

export function listObject(url: string, data: unknown[], hasMore: boolean, totalCount?: number): Json {
  const out: Json = { object: 'list', data, has_more: hasMore };
  if (totalCount !== undefined) out.total_count = totalCount;
  out.url = url;
  return out;
}
