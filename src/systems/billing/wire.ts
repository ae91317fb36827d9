/**
 * Stripe's wire conventions that are not JSON: form-encoded parameters (used for query
 * strings on GET and bodies on POST) and the search query language.
 */
import type { QueryValue } from '../../upstream/types.ts';

/** A Stripe parameter value: nested objects become `a[b]=c`, arrays `a[]=x` or `a[0][b]=c`. */
export type FormValue = string | number | boolean | null | undefined | readonly FormValue[] | { readonly [key: string]: FormValue };
export type FormParams = Readonly<Record<string, FormValue>>;

/**
 * Flattens Stripe parameters to `[key, value]` pairs in Stripe's bracket notation:
 * `{ created: { gte: 1 } }` → `created[gte]=1`, `{ expand: ['a'] }` → `expand[]=a`,
 * `{ items: [{ price: 'p' }] }` → `items[0][price]=p`. `undefined` and `null` are left
 * out (Stripe reads an empty string as "unset", which no read needs).
 */
export function flattenForm(params: FormParams): [string, string][] {
  const pairs: [string, string][] = [];
  const walk = (key: string, value: FormValue): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      // Scalars repeat `key[]`; objects need an index so their fields stay together.
      value.forEach((item: FormValue, index: number) => {
        const scalar = item === null || typeof item !== 'object';
        walk(scalar ? `${key}[]` : `${key}[${index}]`, item);
      });
      return;
    }
    if (typeof value === 'object') {
      for (const [child, childValue] of Object.entries(value as Record<string, FormValue>)) walk(`${key}[${child}]`, childValue);
      return;
    }
    pairs.push([key, String(value)]);
  };
  for (const [key, value] of Object.entries(params)) walk(key, value);
  return pairs;
}

/** `application/x-www-form-urlencoded` body for a POST. */
export function encodeForm(params: FormParams): string {
  return new URLSearchParams(flattenForm(params)).toString();
}

/** The same pairs as an UpstreamRequest query (repeated keys become arrays). */
export function formQuery(params: FormParams): Record<string, QueryValue> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of flattenForm(params)) {
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else query[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

/** Stripe search allows at most this many clauses in one query. */
export const MAX_SEARCH_CLAUSES = 10;

/** A double-quoted search string; `"` and `\` are the characters the grammar escapes. */
export function quoteSearchValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

/** `field:"value"` — exact, case-insensitive match. */
export function fieldClause(field: string, value: string): string {
  return `${field}:${quoteSearchValue(value)}`;
}

/** `metadata["key"]:"value"`. */
export function metadataClause(key: string, value: string): string {
  return `metadata[${quoteSearchValue(key)}]:${quoteSearchValue(value)}`;
}

/**
 * Joins clauses with OR. Stripe rejects more than ten clauses and any mix of AND and OR,
 * so callers chunk their keys and never combine this with AND.
 */
export function anyOf(clauses: readonly string[]): string {
  if (clauses.length === 0 || clauses.length > MAX_SEARCH_CLAUSES) {
    throw new RangeError(`a Stripe search takes 1 to ${MAX_SEARCH_CLAUSES} clauses, got ${clauses.length}`);
  }
  return clauses.join(' OR ');
}

/** Joins clauses with AND (Stripe's ten-clause limit applies; never combined with OR). */
export function allOf(clauses: readonly string[]): string {
  if (clauses.length === 0 || clauses.length > MAX_SEARCH_CLAUSES) {
    throw new RangeError(`a Stripe search takes 1 to ${MAX_SEARCH_CLAUSES} clauses, got ${clauses.length}`);
  }
  return clauses.join(' AND ');
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
