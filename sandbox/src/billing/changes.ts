/**
 * The one write path. An operation takes a `begin()` snapshot, mutates the record in place,
 * then `commit()`s: the table notes the old version (for the lagging search index) and an
 * Event is appended per type — `*.updated` events carry `previous_attributes`, computed as
 * Stripe does from the wire objects before and after. API handlers and `/__sandbox/edit`
 * both call the same operations, so both leave the same trail.
 */
import type { AnyRecord, Row } from './records.ts';
import { type Json, renderRecord } from './render.ts';
import type { BillingStore, RequestInfo } from './store.ts';
import type { Table } from './table.ts';

export interface OpContext {
  store: BillingStore;
  request: RequestInfo;
}

export interface Pending<R extends AnyRecord> {
  table: Table<R>;
  rec: R;
  before: R;
  previous: Json;
}

export function begin<R extends AnyRecord>(ctx: OpContext, table: Table<R>, rec: R): Pending<R> {
  return { table, rec, before: structuredClone(rec), previous: renderRecord(ctx.store, rec) };
}

/**
 * Records the change. `*.updated` types are skipped when nothing visible changed (Stripe sends
 * no event for a no-op update); other types (`invoice.finalized` …) are always recorded.
 */
export function commit<R extends AnyRecord>(
  ctx: OpContext,
  pending: Pending<R>,
  types: readonly string[],
  options: { reindex?: boolean } = {},
): Json {
  const { table, rec, before, previous } = pending;
  table.noteUpdate(rec.id, before);
  if (options.reindex) table.reindex(rec, before);
  const current = renderRecord(ctx.store, rec);
  const changed = previousAttributes(previous, current);
  for (const type of types) {
    if (type.endsWith('.updated') && !changed) continue;
    ctx.store.recordEvent(type, current, previous, type.endsWith('.updated') ? changed : null, ctx.request);
  }
  return current;
}

/** An update's "absent means unchanged": copies each of `keys` that `input` sets onto the record. */
export function assignGiven<R, K extends keyof R>(rec: R, input: { readonly [P in K]?: R[P] }, keys: readonly K[]): void {
  for (const key of keys) {
    const value = input[key];
    if (value !== undefined) rec[key] = value;
  }
}

export function create<R extends AnyRecord & Row>(ctx: OpContext, table: Table<R>, rec: R, type: string | null): Json {
  table.insert(rec);
  const current = renderRecord(ctx.store, rec);
  if (type) ctx.store.recordEvent(type, current, null, null, ctx.request);
  return current;
}

/** Records an event about an object without a state change of its own (e.g. `invoiceitem.deleted`). */
export function announce(ctx: OpContext, type: string, object: Json, previous: Json | null = null): void {
  ctx.store.recordEvent(type, object, previous, null, ctx.request);
}

const isPlain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Json).object !== 'list';

/**
 * Stripe's `previous_attributes`: the old values of changed fields; nested hashes (metadata,
 * status_transitions) list only their changed keys, with null for keys that did not exist.
 */
export function previousAttributes(previous: Json, current: Json): Json | null {
  const out: Json = {};
  for (const key of new Set([...Object.keys(previous), ...Object.keys(current)])) {
    const a = previous[key];
    const b = current[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (isPlain(a) && isPlain(b)) {
      out[key] = previousAttributes(a, b) ?? {};
    } else out[key] = a === undefined ? null : a;
  }
  return Object.keys(out).length > 0 ? out : null;
}
