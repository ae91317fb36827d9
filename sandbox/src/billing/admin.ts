/**
 * Billing's admin routes under `/__sandbox/` (no auth, no chaos):
 *
 * - `POST /__sandbox/edit` — change a record as if someone did it in the Stripe Dashboard.
 *   Body: `{ object, id, set?, action? }`; `set` is applied first, then `action`:
 *     customer:     set { email, name, phone, description, balance, metadata }   action: delete
 *     invoice:      set { description, footer, metadata, auto_advance }
 *                   action: finalize | pay | pay_out_of_band | fail_payment | void | mark_uncollectible | delete
 *     invoiceitem:  set { description, metadata, quantity, amount }              action: delete
 *     subscription: set { description, metadata, cancel_at_period_end }          action: cancel
 *     charge:       set { description, metadata }                                action: refund
 *   `metadata` values of null or "" remove the key. The edit runs through the same operations
 *   as the API, so it appends the same Events and feeds `emulator.events`. Answer:
 *   `{ ok, object, events: [{ id, type }], error? }` (`error`: the Stripe error body when the
 *   action itself fails, e.g. a declined `fail_payment`).
 * - `GET|POST|DELETE /__sandbox/locks` — `{ ids?: string[], rate?: number }`: writes touching
 *   a locked id, or this share of all writes, answer 429 `lock_timeout`.
 * - `GET|POST /__sandbox/hold` — `{ ms }`: POSTs wait this long after claiming their
 *   Idempotency-Key, so a concurrent retry sees 409 `idempotency_key_in_use`.
 * - `GET /__sandbox/stats` — how many objects of each kind the account holds.
 * - `GET|POST|DELETE /__sandbox/api-version` — the account's default Stripe API version and
 *   the knob forcing every answer into one (admin-versions.ts).
 */
import { Router, type SandboxRequest, type SandboxResponse } from '../http.ts';
import { newRequestId, type BillingFaults } from './api.ts';
import type { OpContext } from './changes.ts';
import { StripeError } from './errors.ts';
import { getCharge, getCustomer, getInvoice, getInvoiceItem, getSubscription } from './lookups.ts';
import { deleteCustomer, updateCustomer } from './ops-customers.ts';
import { deleteInvoiceItem, updateInvoiceItem } from './ops-invoice-items.ts';
import { deleteInvoice, finalizeInvoice, markUncollectible, payInvoice, updateInvoice, voidInvoice } from './ops-invoices.ts';
import { updateCharge } from './ops-payments.ts';
import { cancelSubscription, updateSubscription } from './ops-subscriptions.ts';
import type { MetadataPatch } from './params.ts';
import type { InvoiceRec } from './records.ts';
import type { Json } from './render.ts';
import type { BillingChange, BillingStore } from './store.ts';

type Edit = { object?: unknown; id?: unknown; set?: Record<string, unknown>; action?: unknown };

const bad = (message: string, status = 400): SandboxResponse => ({ status, body: { error: message } });

function parse(raw: Buffer): unknown {
  try {
    return raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

function metadataPatch(value: unknown): MetadataPatch | undefined {
  if (value === undefined) return undefined;
  if (value === null) return { clear: true, set: {}, unset: [] };
  if (typeof value !== 'object') throw new TypeError('set.metadata must be an object of strings');
  const patch: MetadataPatch = { clear: false, set: {}, unset: [] };
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === '') patch.unset.push(k);
    else patch.set[k] = String(v);
  }
  return patch;
}

const str = (v: unknown): string | null | undefined => (v === undefined ? undefined : v === null || v === '' ? null : String(v));
const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
const bool = (v: unknown): boolean | undefined => (v === undefined ? undefined : Boolean(v));

type EditSet = Record<string, unknown>;
type Actions<R> = Readonly<Record<string, (ctx: OpContext, rec: R) => Json>>;
/** Reads each `set` field for an operation's input, keyed by the input's name (`autoAdvance` reads `set.auto_advance`). */
type Readers<I> = { readonly [K in keyof I]?: (value: unknown) => I[K] };

/** An entry of a name-keyed table, ignoring what every object inherits (`toString` is no action). */
const entry = <T>(table: Readonly<Record<string, T>>, name: string): T | undefined =>
  Object.hasOwn(table, name) ? table[name] : undefined;

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** How an edit applies to one kind of object: `set` runs through the API's update operation, then the action. */
function editable<R, I>(
  get: (store: BillingStore, id: string) => R,
  update: (ctx: OpContext, rec: R, input: I) => Json,
  readers: Readers<I>,
  actions: Actions<R>,
): (ctx: OpContext, edit: Edit) => Json {
  return (ctx, edit) => {
    const id = String(edit.id);
    const set: EditSet = edit.set ?? {};
    const rec = get(ctx.store, id);
    const input: Record<string, unknown> = {};
    for (const [name, read] of Object.entries(readers) as [string, (value: unknown) => unknown][]) input[name] = read(set[snakeCase(name)]);
    let out = Object.keys(set).length > 0 ? update(ctx, rec, input as I) : null;
    if (edit.action !== undefined) {
      const action = String(edit.action);
      const run = entry(actions, action);
      if (!run) throw new TypeError(`unknown action '${action}' for ${String(edit.object)}`);
      out = run(ctx, rec);
    }
    return out ?? { id };
  };
}

/** Admin actions on an invoice: the transitions the API offers, plus a forced card decline. */
const INVOICE_ACTIONS: Actions<InvoiceRec> = {
  finalize: (ctx, inv) => finalizeInvoice(ctx, inv),
  pay: (ctx, inv) => payInvoice(ctx, inv),
  pay_out_of_band: (ctx, inv) => payInvoice(ctx, inv, { paidOutOfBand: true }),
  fail_payment: (ctx, inv) => payInvoice(ctx, inv, { paymentMethod: 'pm_card_chargeDeclined' }),
  void: voidInvoice,
  mark_uncollectible: markUncollectible,
  delete: deleteInvoice,
};

/** The objects an edit can name (see the header for their `set` fields and actions). */
const EDITABLE: Readonly<Record<string, (ctx: OpContext, edit: Edit) => Json>> = {
  customer: editable(
    getCustomer,
    updateCustomer,
    { email: str, name: str, phone: str, description: str, balance: num, metadata: metadataPatch },
    { delete: deleteCustomer },
  ),
  invoice: editable(
    getInvoice,
    updateInvoice,
    { description: str, footer: str, metadata: metadataPatch, autoAdvance: bool },
    INVOICE_ACTIONS,
  ),
  invoiceitem: editable(
    getInvoiceItem,
    updateInvoiceItem,
    { description: str, metadata: metadataPatch, quantity: num, amount: num },
    { delete: deleteInvoiceItem },
  ),
  subscription: editable(
    getSubscription,
    updateSubscription,
    { description: str, metadata: metadataPatch, cancelAtPeriodEnd: bool },
    { cancel: (ctx, sub) => cancelSubscription(ctx, sub, {}) },
  ),
  charge: editable(
    getCharge,
    updateCharge,
    { description: str, metadata: metadataPatch },
    { refund: (ctx, ch) => updateCharge(ctx, ch, { refund: true }) },
  ),
};

function applyEdit(ctx: OpContext, edit: Edit): Json {
  const apply = entry(EDITABLE, String(edit.object));
  if (!apply) throw new TypeError(`unknown object '${String(edit.object)}' (customer, invoice, invoiceitem, subscription, charge)`);
  return apply(ctx, edit);
}

export function billingAdmin(store: BillingStore, faults: BillingFaults): Router {
  const router = new Router();

  router.on('POST', '/__sandbox/edit', (req: SandboxRequest) => {
    const edit = parse(req.rawBody) as Edit | undefined;
    if (!edit || typeof edit !== 'object' || typeof edit.id !== 'string') return bad('expected { object, id, set?, action? }');
    if (edit.set !== undefined && (typeof edit.set !== 'object' || edit.set === null)) return bad('set must be an object');
    if (edit.set === undefined && edit.action === undefined) return bad('nothing to do: give set and/or action');
    const ctx: OpContext = { store, request: { requestId: newRequestId(), idempotencyKey: null } };
    const events: { id: string; type: string }[] = [];
    const listener = (change: BillingChange) => events.push({ id: String(change.event.id), type: change.type });
    store.emitter.on('change', listener);
    try {
      const object = applyEdit(ctx, edit);
      return { status: 200, body: { ok: true, object, events } };
    } catch (error) {
      if (error instanceof StripeError) {
        // A failed action (a declined payment) still changed state and recorded events.
        const status = error.status === 402 ? 200 : error.status;
        return { status, body: { ok: error.status === 402, error: error.body, events } };
      }
      if (error instanceof TypeError) return bad(error.message);
      throw error;
    } finally {
      store.emitter.off('change', listener);
    }
  });

  const showLocks = (): SandboxResponse => ({ status: 200, body: { ids: [...faults.lockedIds], rate: faults.lockTimeoutRate } });
  router.on('GET', '/__sandbox/locks', showLocks);
  router.on('DELETE', '/__sandbox/locks', () => {
    faults.lockedIds.clear();
    faults.lockTimeoutRate = 0;
    return showLocks();
  });
  router.on('POST', '/__sandbox/locks', (req) => {
    const body = parse(req.rawBody) as { ids?: unknown; rate?: unknown } | undefined;
    if (!body || typeof body !== 'object') return bad('expected { ids?: string[], rate?: number }');
    if (body.ids !== undefined) {
      if (!Array.isArray(body.ids) || !body.ids.every((i) => typeof i === 'string')) return bad('ids must be an array of object ids');
      faults.lockedIds.clear();
      for (const id of body.ids as string[]) faults.lockedIds.add(id);
    }
    if (body.rate !== undefined) {
      if (typeof body.rate !== 'number' || body.rate < 0 || body.rate > 1) return bad('rate must be a number between 0 and 1');
      faults.lockTimeoutRate = body.rate;
    }
    return showLocks();
  });

  router.on('GET', '/__sandbox/hold', () => ({ status: 200, body: { ms: faults.holdMs } }));
  router.on('POST', '/__sandbox/hold', (req) => {
    const body = parse(req.rawBody) as { ms?: unknown } | undefined;
    if (!body || typeof body.ms !== 'number' || body.ms < 0) return bad('expected { ms: number >= 0 }');
    faults.holdMs = body.ms;
    return { status: 200, body: { ms: faults.holdMs } };
  });

  router.on('GET', '/__sandbox/stats', () => ({
    status: 200,
    body: {
      customers: store.customers.size,
      subscriptions: store.subscriptions.size,
      invoices: store.invoices.size,
      invoiceitems: store.invoiceItems.size,
      charges: store.charges.size,
      payment_intents: store.paymentIntents.size,
      prices: store.prices.size,
      products: store.products.size,
      events: store.events.size,
    },
  }));

  return router;
}
