/**
 * Invariant 2: every cross-system run ended SUCCEEDED with all its effects in the vendors,
 * FAILED with none left (compensated, or nothing to undo), or OUTCOME_UNKNOWN with its steps
 * recorded and visible — never a silent half-write. Judged per idempotency key from the row
 * the gateway keeps (its final status, stored answer and saved steps), against the vendors,
 * whether or not any client heard the outcome; and every answer a client got agrees with that row.
 */
import { UNDO_BEGUN, type StepRecord, type WorkflowResult } from '../../src/workflows/definition.ts';
import type { Operation } from '../history.ts';
import type { CheckInput, InvariantResult, Violation } from './types.ts';
import type { KeyRow } from './gateway-store.ts';
import { answered, ids, workflowKeys, type AnsweredWorkflow } from './history-views.ts';
import type { Json, Records } from './records.ts';
import { snapshot } from './snapshot.ts';
import { CLOSED_WON, effectMissing, leftOf, stepOfKey, stepKeyPrefix } from './workflow-effects.ts';

export async function checkWorkflows(input: CheckInput): Promise<InvariantResult> {
  const { records, store, settled } = await snapshot(input);
  const keys = workflowKeys(input.history);
  const violations: Violation[] = [];
  const figures: Record<string, number> = {};
  if (!settled) violations.push({ ops: [], detail: 'a replica was still executing, or a key still leased, 60 s after the run' });

  /** Deals a run holds won: it finished so, or is unsettled past closing it or inside it (its notes saved, the stage maybe sent). */
  const won = new Set<string>();
  for (const [key, ops] of keys) {
    const row = store.keys.get(key);
    const closed = row?.steps.find((step) => step.name === 'crm.closeDeal');
    const begun = closed !== undefined && (closed.status !== 'PENDING' || Object.keys(closed.notes ?? {}).length > 0);
    const holds = row?.status === 'succeeded' || (row?.status !== 'failed' && begun);
    if (ops[0].kind === 'workflow:winDeal' && holds) won.add(ops[0].subject!);
  }

  for (const [key, ops] of keys) {
    const row = store.keys.get(key);
    const state = row?.status ?? 'no row';
    figures[`keys ${state}`] = (figures[`keys ${state}`] ?? 0) + 1;
    const context: Judged = { key, ops, subject: ops[0].subject ?? '', records };
    violations.push(...judgeAnswers(context, row));
    if (!row) violations.push(...judgeUnclaimed(context));
    else if (row.status === 'succeeded') violations.push(...(await judgeSucceeded(context, row)));
    else if (row.status === 'failed') violations.push(...(await judgeFailed(context, row)));
    else violations.push(...(await judgeUnsettled(context, row)));
  }
  const deals = new Set([...keys.values()].filter((ops) => ops[0].kind === 'workflow:winDeal').map((ops) => ops[0].subject!));
  for (const dealId of deals) {
    const tried = [...keys].filter(([, ops]) => ops[0].subject === dealId);
    // A failed run that left it won is reported above; here, a deal won by no run that answers for it.
    const leftWon = tried.some(([key, ops]) => {
      const row = store.keys.get(key);
      const close = row?.status === 'failed' ? (row.result?.steps ?? row.steps).find((s) => s.name === 'crm.closeDeal') : undefined;
      return close && leftBy({ key, ops, subject: dealId, records }, close, row!.updatedAt);
    });
    if (records.crm.deal(dealId)?.properties.dealstage === CLOSED_WON && !won.has(dealId) && !leftWon) {
      violations.push({
        ops: tried.flatMap(([, ops]) => ids(ops)),
        detail: `deal ${dealId} is closedwon, but no run holds it won (keys ${tried.map(([key]) => key).join(', ')})`,
      });
    }
  }
  for (const [key, row] of store.keys) {
    if (!keys.has(key))
      violations.push({ ops: [], detail: `the gateway holds key ${key} (${row.operation}, ${row.status}) that no client sent` });
  }
  return { id: 2, name: 'workflows: succeeded whole, failed undone, or unknown and visible', checked: keys.size, violations, figures };
}

interface Judged {
  key: string;
  ops: Operation[];
  /** The deal id (winDeal) or the email (onboardCustomer). */
  subject: string;
  records: Records;
}

const violation = (judged: Judged, detail: string): Violation => ({
  ops: ids(judged.ops),
  detail: `${judged.ops[0].kind} ${judged.key}: ${detail}`,
});

const idsOf = (step: { upstreamIds: { name: string; value: string }[] }) =>
  step.upstreamIds.map(({ name, value }) => `${name}=${value}`).join(' ');
const storedIdsOf = (step: StepRecord) =>
  Object.entries(step.ids)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');

/** Each answer a client got: a final one is the row's stored answer, a replay is the first answer again. */
function judgeAnswers(judged: Judged, row: KeyRow | undefined): Violation[] {
  const out: Violation[] = [];
  for (const op of judged.ops) {
    const result = answered(op);
    if (!result || result.status === 'OUTCOME_UNKNOWN') continue;
    const settledAs = result.status === 'SUCCEEDED' ? 'succeeded' : 'failed';
    if (row?.status !== settledAs || !row.result) {
      out.push(violation(judged, `op ${op.id} was answered ${result.status}, but the key's row is ${row?.status ?? 'missing'}`));
      continue;
    }
    const differs = differences(result, row.result);
    if (differs.length)
      out.push(
        violation(judged, `op ${op.id}'s answer${result.replayed ? ' (replayed)' : ''} differs from the stored one: ${differs.join('; ')}`),
      );
  }
  return out;
}

function differences(answer: AnsweredWorkflow, stored: WorkflowResult): string[] {
  const out: string[] = [];
  if (answer.status !== stored.status) out.push(`status ${answer.status} vs ${stored.status}`);
  for (const [index, step] of stored.steps.entries()) {
    const got = answer.steps[index];
    if (!got || got.name !== step.name) out.push(`step ${index} is ${got?.name} vs ${step.name}`);
    else if (got.status !== step.status) out.push(`${step.name} ${got.status} vs ${step.status}`);
    else if (idsOf(got) !== storedIdsOf(step)) out.push(`${step.name} ids ${idsOf(got)} vs ${storedIdsOf(step)}`);
  }
  return out;
}

/** No row: the key was never claimed, so nothing may carry it. */
function judgeUnclaimed(judged: Judged): Violation[] {
  const answeredOp = judged.ops.find((op) => answered(op));
  if (answeredOp) return [violation(judged, `op ${answeredOp.id} got an answer, but the gateway holds no row for the key`)];
  const created = judged.records.billing.createdUnder(stepKeyPrefix(judged.key));
  return created.length
    ? [violation(judged, `no row for the key, yet Stripe created ${created.map((e) => String(e.object.id)).join(', ')} under it`)]
    : [];
}

async function judgeSucceeded(judged: Judged, row: KeyRow): Promise<Violation[]> {
  const out: Violation[] = [];
  const steps = row.result?.steps ?? [];
  for (const step of steps) {
    // A failed announcement is a warning of a run that stands: the business change stays.
    if (step.status === 'FAILED' && step.name.startsWith('chat.')) continue;
    if (step.status !== 'SUCCEEDED') {
      out.push(violation(judged, `succeeded with step ${step.name} ${step.status}`));
      continue;
    }
    const missing = await effectMissing(judged.records, step, judged.subject);
    if (missing) out.push(violation(judged, `succeeded, but ${missing}`));
  }
  out.push(...(await judgeCoherence(judged, steps)));
  // An invoice no longer open fails both the step that made it and the one that finalized it: said once.
  return out.filter((v, index) => out.findIndex((other) => other.detail === v.detail) === index);
}

/** The steps' effects fit together: the invoice bills the deal's contact's customer for the deal; the announcement names it. */
async function judgeCoherence(judged: Judged, steps: StepRecord[]): Promise<Violation[]> {
  const byName = new Map(steps.map((step) => [step.name, step]));
  const { crm, billing, chat } = judged.records;
  const out: Violation[] = [];
  const close = byName.get('crm.closeDeal');
  if (close) {
    const customer = byName.get('billing.ensureCustomer')!;
    const contactId = String(close.notes.contactId);
    if (customer.ids.contactId !== contactId)
      out.push(violation(judged, `billed contact ${customer.ids.contactId}, but the deal's contact is ${contactId}`));
    if (!crm.dealContacts(close.ids.dealId).includes(contactId))
      out.push(violation(judged, `contact ${contactId} is not among deal ${close.ids.dealId}'s contacts`));
    const finalize = byName.get('billing.finalizeInvoice')!;
    const invoice = await billing.current('invoices', finalize.ids.invoiceId);
    const amount = Math.round(Number(close.notes.amount ?? 0) * 100);
    if (invoice && invoice.customer !== customer.ids.customerId)
      out.push(violation(judged, `invoice ${finalize.ids.invoiceId} bills ${String(invoice.customer)}, not ${customer.ids.customerId}`));
    if (invoice && invoice.amount_due !== amount)
      out.push(violation(judged, `invoice ${finalize.ids.invoiceId} is for ${String(invoice.amount_due)}, the deal for ${amount}`));
    const announce = byName.get('chat.announce')!;
    const text = announce.status === 'SUCCEEDED' ? chat.message(announce.ids.channel, announce.ids.ts)?.text : undefined;
    if (text !== undefined && !text.includes(finalize.ids.invoiceNumber))
      out.push(violation(judged, `the announcement does not name invoice ${finalize.ids.invoiceNumber}: "${text}"`));
  }
  const customer = byName.get('billing.createCustomer');
  if (customer) {
    const subscription = byName.get('billing.createSubscription')!;
    const current = await billing.current('subscriptions', subscription.ids.subscriptionId);
    if (current && current.customer !== customer.ids.customerId)
      out.push(
        violation(
          judged,
          `subscription ${subscription.ids.subscriptionId} is for ${String(current.customer)}, not ${customer.ids.customerId}`,
        ),
      );
    const stripe = await billing.current('customers', customer.ids.customerId);
    if (stripe && !stripe.deleted && (stripe as Json).email !== judged.subject)
      out.push(violation(judged, `customer ${customer.ids.customerId} has email ${String(stripe.email)}`));
  }
  return out;
}

/** What a finished run's step left in the vendors when the run ended, whatever it reports. */
function leftBy(judged: Judged, step: StepRecord, endedAt: Date): string | null {
  const { crm } = judged.records;
  switch (step.name) {
    case 'crm.closeDeal': {
      // Runs on a deal take turns (its subject), so the stage as this run ended is this run's doing.
      const deal = crm.deal(step.ids.dealId ?? judged.subject);
      const stage = deal && crm.valueAt(deal, 'dealstage', endedAt.getTime());
      return deal && step.notes.previousStage !== undefined && stage === CLOSED_WON ? `deal ${deal.id} closedwon` : null;
    }
    case 'crm.createContact': {
      const contactId = (step.ids.contactId ?? step.notes.contactId) as string | undefined;
      const contact = contactId ? crm.contact(contactId) : undefined;
      return contact && !contact.archived ? `contact ${contactId}` : null;
    }
  }
  return null;
}

/**
 * FAILED: nothing the run did is left — every Stripe object created under its key is gone, the deal reopened,
 * the contact archived — except what a step reports as NEEDS_ATTENTION (an undo that failed), which it names.
 */
async function judgeFailed(judged: Judged, row: KeyRow): Promise<Violation[]> {
  const out: Violation[] = [];
  const steps = row.result?.steps ?? row.steps;
  const stepStatus = (name: string | undefined) => steps.find((step) => step.name === name)?.status ?? 'unrecorded';
  for (const event of judged.records.billing.createdUnder(stepKeyPrefix(judged.key))) {
    const left = await leftOf(judged.records, event);
    const step = stepOfKey(judged.key, event.idempotencyKey!);
    if (left && stepStatus(step) !== 'NEEDS_ATTENTION')
      out.push(violation(judged, `failed, but left ${left} (step ${step} ${stepStatus(step)})`));
  }
  for (const step of steps) {
    // A step reported NEEDS_ATTENTION says itself that its effect is left (its undo failed, e.g.
    // the vendor stayed down past the undo's own deadline): visible, not silent.
    if (step.status === 'NEEDS_ATTENTION') continue;
    const left = leftBy(judged, step, row.updatedAt);
    if (left)
      out.push(
        violation(
          judged,
          `failed, but left ${left} (step ${step.name} ${step.status}${step.compensation ? `: ${step.compensation}` : ''})`,
        ),
      );
  }
  return out;
}

/**
 * Unknown (or still running after its replica died): the steps are recorded and visible.
 * What the recorded-succeeded steps did is in the vendors, and nothing was done past the
 * step whose outcome is unknown.
 */
async function judgeUnsettled(judged: Judged, row: KeyRow): Promise<Violation[]> {
  const out: Violation[] = [];
  const frontier = row.steps.findIndex((step) => step.status !== 'SUCCEEDED');
  const done = frontier < 0 ? row.steps : row.steps.slice(0, frontier);
  for (const step of done) {
    // Its undo was under way when the run stopped: the effect may be there or gone.
    if (step.compensation === UNDO_BEGUN) continue;
    const missing = await effectMissing(judged.records, step, judged.subject);
    if (missing) out.push(violation(judged, `${row.status}: step ${step.name} is recorded SUCCEEDED, but ${missing}`));
  }
  // A step writes only after saving the steps (or as the one step not yet saved as done), so every object is a recorded step's.
  const reached = frontier < 0 ? row.steps.length - 1 : frontier;
  for (const event of judged.records.billing.createdUnder(stepKeyPrefix(judged.key))) {
    const step = stepOfKey(judged.key, event.idempotencyKey!);
    const index = row.steps.findIndex((recorded) => recorded.name === step);
    if (index < 0 || index > reached) {
      const where = frontier < 0 ? 'with every step done' : `at ${row.steps[frontier].name} ${row.steps[frontier].status}`;
      out.push(
        violation(judged, `${row.status} ${where}, yet step ${step} created ${String(event.object.id)}, which its steps do not record`),
      );
    }
  }
  return out;
}
