/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with bracketed nested keys,
 * the convention `qs` produces and Stripe's servers parse —
 *
 *   metadata[plan]=pro            → { metadata: { plan: 'pro' } }
 *   expand[]=customer             → { expand: ['customer'] }
 *   expand[0]=customer            → { expand: ['customer'] }
 *   items[0][price]=price_x       → { items: [{ price: 'price_x' }] }
 *   created[gte]=1700000000       → { created: { gte: '1700000000' } }
 *
 * Query strings of GET requests use the same syntax. Values stay strings: Stripe types them
 * per parameter (see `params.ts`), and an empty string is meaningful (it unsets a field).
 */

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormParams = { [key: string]: FormValue };

/** Thrown for keys Stripe's parser rejects (`a[b`, a key used both as a value and a hash). */
export class FormDecodeError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

/** Splits `items[0][price]` into `['items', '0', 'price']`; `expand[]` gives `['expand', '']`. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open === -1) return [key];
  const parts = [key.slice(0, open)];
  let i = open;
  while (i < key.length) {
    if (key[i] !== '[') throw new FormDecodeError(`Invalid parameter name: ${key}`, key);
    const close = key.indexOf(']', i);
    if (close === -1) throw new FormDecodeError(`Invalid parameter name: ${key}`, key);
    parts.push(key.slice(i + 1, close));
    i = close + 1;
  }
  if (parts[0] === '') throw new FormDecodeError(`Invalid parameter name: ${key}`, key);
  return parts;
}

type Node = { kind: 'hash'; entries: Map<string, Node>; appended: Node[] } | { kind: 'leaf'; value: string };

function child(
  node: Extract<Node, { kind: 'hash' }>,
  segment: string,
  next: string | undefined,
  value: string,
  key: string,
): Extract<Node, { kind: 'hash' }> | null {
  const last = next === undefined;
  if (segment === '') {
    // `a[]` appends; `a[][b]` starts a new element only when the previous one already has `b`.
    if (last) {
      node.appended.push({ kind: 'leaf', value });
      return null;
    }
    const prev = node.appended[node.appended.length - 1];
    if (prev && prev.kind === 'hash' && !prev.entries.has(next)) return prev;
    const fresh: Node = { kind: 'hash', entries: new Map(), appended: [] };
    node.appended.push(fresh);
    return fresh;
  }
  const existing = node.entries.get(segment);
  if (last) {
    if (existing && existing.kind === 'hash') throw new FormDecodeError(`Invalid hash: ${key} is both a value and a hash`, key);
    node.entries.set(segment, { kind: 'leaf', value });
    return null;
  }
  if (existing) {
    if (existing.kind === 'leaf') {
      // `metadata=` followed by `metadata[k]=v`: the later hash wins over the blank.
      if (existing.value !== '') throw new FormDecodeError(`Invalid hash: ${key} is both a value and a hash`, key);
    } else return existing;
  }
  const fresh: Node = { kind: 'hash', entries: new Map(), appended: [] };
  node.entries.set(segment, fresh);
  return fresh;
}

function toValue(node: Node): FormValue {
  if (node.kind === 'leaf') return node.value;
  const keys = [...node.entries.keys()];
  // A hash whose keys are all array indices is an array, ordered by index (`items[1]` may come first).
  if (node.appended.length > 0 || (keys.length > 0 && keys.every((k) => /^\d+$/.test(k)))) {
    const indexed = keys.map((k) => [Number(k), node.entries.get(k)!] as const).sort((a, b) => a[0] - b[0]);
    return [...indexed.map(([, v]) => toValue(v)), ...node.appended.map(toValue)];
  }
  const out: { [key: string]: FormValue } = {};
  for (const [k, v] of node.entries) out[k] = toValue(v);
  return out;
}

/** Decodes pairs (from a body or a query string) into nested params. */
export function decodePairs(pairs: Iterable<[string, string]>): FormParams {
  const root: Extract<Node, { kind: 'hash' }> = { kind: 'hash', entries: new Map(), appended: [] };
  for (const [key, value] of pairs) {
    const path = splitKey(key);
    let node: Extract<Node, { kind: 'hash' }> | null = root;
    for (let i = 0; i < path.length && node; i++) node = child(node, path[i], path[i + 1], value, key);
  }
  const out: FormParams = {};
  for (const [k, v] of root.entries) out[k] = toValue(v);
  return out;
}

export function decodeForm(body: string): FormParams {
  return decodePairs(new URLSearchParams(body));
}

/**
 * A canonical serialization of params, so that an idempotent retry compares equal to its
 * original however the client ordered the keys.
 */
export function canonicalParams(params: FormParams): string {
  const norm = (v: FormValue): unknown => {
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map(norm);
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, norm(v[k])]),
    );
  };
  return JSON.stringify(norm(params));
}
