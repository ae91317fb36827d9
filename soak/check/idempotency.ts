/**
 * Invariant 3: an idempotency key never produced two sets of side effects, across replicas,
 * retries and restarts. Stripe names the key behind each object it created (the request's
 * `Idempotency-Key: sb:<key>:<step>:<request>`), so per key and step at most one customer,
 * invoice and subscription, and the one the run recorded. HubSpot and Slack take no keys: a
 * contact is tied to its run by the id the run recorded, a message by its timestamp or text;
 * a contact or message that no run recorded (and no unsettled run may yet record) is a
 * second effect. Per deal, at most one run billed it and one announcement went out; per
 * contact, at most one billing customer.
 */
import type { StepRecord } from '../../src/workflows/definition.ts';
import type { Operation } from '../history.ts';
import type { CheckInput, InvariantResult, Violation } from './types.ts';
import type { KeyRow } from './gateway-store.ts';
import { ids, workflowKeys } from './history-views.ts';
import type { Json, StripeEvent } from './records.ts';
import { snapshot } from './snapshot.ts';
import { stepKeyPrefix, stepOfKey } from './workflow-effects.ts';

interface Run {
  key: string;
  ops: Operation[];
  subject: string;
  row: KeyRow | undefined;
  /** The steps as stored: the final answer's, else the last saved progress. */
  steps: StepRecord[];
  created: StripeEvent[];
}

const OBJECT_OF: Record<string, string> = {
  'customer.created': 'customer',
  'invoice.created': 'invoice',
  'customer.subscription.created': 'subscription',
};
const BILLED = new Set(['open', 'paid', 'uncollectible']);
const RECORDED_AS: Record<string, string> = { customer: 'customerId', invoice: 'invoiceId', subscription: 'subscriptionId' };

export async function checkIdempotency(input: CheckInput): Promise<InvariantResult> {
  const { records, store, start } = await snapshot(input);
  const violations: Violation[] = [];
  const runs: Run[] = [...workflowKeys(input.history)].map(([key, ops]) => {
    const row = store.keys.get(key);
    return {
      key,
      ops,
      subject: ops[0].subject ?? '',
      row,
      steps: row?.result?.steps ?? row?.steps ?? [],
      created: records.billing.createdUnder(stepKeyPrefix(key)),
    };
  });
  const flag = (runsInvolved: Run[], detail: string) => violations.push({ ops: runsInvolved.flatMap((run) => ids(run.ops)), detail });

  // Per key and step: one object of each kind, the one the run recorded.
  for (const run of runs) {
    const byStep = new Map<string, StripeEvent[]>();
    for (const event of run.created) {
      const group = `${stepOfKey(run.key, event.idempotencyKey!)} ${OBJECT_OF[event.type]}`;
      byStep.set(group, [...(byStep.get(group) ?? []), event]);
    }
    for (const [group, events] of byStep) {
      const objectIds = events.map((event) => String(event.object.id));
      if (events.length > 1) flag([run], `key ${run.key}: ${group} created ${events.length} times (${objectIds.join(', ')})`);
      const [stepName, object] = group.split(' ');
      const recorded = run.steps.find((step) => step.name === stepName)?.ids[RECORDED_AS[object]];
      if (recorded !== undefined && !objectIds.includes(recorded))
        flag([run], `key ${run.key}: ${stepName} recorded ${object} ${recorded}, but Stripe created ${objectIds.join(', ')} under the key`);
    }
  }

  const wins = runs.filter((run) => run.ops[0].kind === 'workflow:winDeal');
  const deals = new Map<string, Run[]>();
  for (const run of wins) deals.set(run.subject, [...(deals.get(run.subject) ?? []), run]);
  const dealsWon = records.chat.channelId('deals-won');
  const announcements = records.chat.botMessages(dealsWon, start);
  for (const [dealId, dealRuns] of deals) {
    const succeeded = dealRuns.filter((run) => run.row?.status === 'succeeded');
    if (succeeded.length > 1)
      flag(succeeded, `deal ${dealId} was won by ${succeeded.length} runs (${succeeded.map((run) => run.key).join(', ')})`);
    const billed: string[] = [];
    const numbers: string[] = [];
    for (const run of dealRuns) {
      for (const event of run.created.filter((e) => e.type === 'invoice.created')) {
        const invoice = await records.billing.current('invoices', String(event.object.id));
        // Billed: an invoice that went out and stands (a draft never went out; a void one was taken back).
        if (BILLED.has(String(invoice?.status))) billed.push(`${String(event.object.id)} by ${run.key}`);
        if (typeof invoice?.number === 'string') numbers.push(invoice.number);
      }
    }
    if (billed.length > 1) flag(dealRuns, `deal ${dealId} is billed ${billed.length} times: ${billed.join(', ')}`);
    const announced = announcements.filter((message) => numbers.some((number) => message.text.includes(number)));
    if (announced.length > 1)
      flag(dealRuns, `deal ${dealId} was announced ${announced.length} times (ts ${announced.map((m) => m.ts).join(', ')})`);
  }
  flagMessages(runs, 'chat.announce', announcements, flag);

  const onboards = runs.filter((run) => run.ops[0].kind === 'workflow:onboardCustomer');
  const general = records.chat.channelId('general');
  const welcomes = new Set(onboards.map((run) => run.steps.find((step) => step.name === 'chat.welcome')?.notes.text));
  flagMessages(
    onboards,
    'chat.welcome',
    records.chat.botMessages(general, start).filter((message) => welcomes.has(message.text)),
    flag,
  );

  // Per onboarded email: every contact created under it is one run's, and no two runs claim one contact.
  for (const email of new Set(onboards.map((run) => run.subject))) {
    const emailRuns = onboards.filter((run) => run.subject === email);
    for (const contact of records.crm.contactsWithEmail(email)) {
      const claimants = emailRuns.filter((run) => {
        const step = run.steps.find((s) => s.name === 'crm.createContact');
        return step?.ids.contactId === contact.id || step?.notes.contactId === contact.id;
      });
      if (claimants.length > 1)
        flag(
          claimants,
          `contact ${contact.id} (${email}) is claimed by ${claimants.length} runs (${claimants.map((r) => r.key).join(', ')})`,
        );
      const mayOwn = emailRuns.some(
        (run) => run.row?.status !== 'succeeded' && run.row?.status !== 'failed' && startedStep(run, 'crm.createContact'),
      );
      if (claimants.length === 0 && !mayOwn) flag(emailRuns, `contact ${contact.id} (${email}) was created by no run that recorded it`);
    }
  }

  // Per contact: one billing customer (a seeded one, or one created in the run).
  const customersOf = new Map<string, string[]>();
  for (const customer of input.cluster.sandbox.world.customers) {
    if (customer.contactId)
      customersOf.set(customer.contactId, [...(customersOf.get(customer.contactId) ?? []), `${customer.id} (seeded)`]);
  }
  const createdIn = new Map<string, string>();
  for (const event of records.billing.events.filter((e) => e.type === 'customer.created')) {
    const contactId = (event.object.metadata as Json | undefined)?.hubspot_contact_id;
    if (typeof contactId !== 'string') continue;
    createdIn.set(String(event.object.id), contactId);
  }
  for (const [customerId, contactId] of createdIn) {
    const current = await records.billing.current('customers', customerId);
    if (!current || current.deleted) continue;
    customersOf.set(contactId, [...(customersOf.get(contactId) ?? []), customerId]);
  }
  for (const [contactId, customers] of customersOf) {
    const made = customers.filter((id) => createdIn.has(id));
    if (made.length === 0 || customers.length < 2) continue;
    const makers = runs.filter((run) => run.created.some((event) => made.includes(String(event.object.id))));
    flag(
      makers,
      `contact ${contactId} has ${customers.length} live billing customers: ${customers.join(', ')} (created by ${makers.map((r) => r.key).join(', ') || 'no run'})`,
    );
  }

  return { id: 3, name: 'one set of side effects per idempotency key; one win per deal', checked: runs.length + deals.size, violations };
}

/** The step saved notes before its write, or got further: it may have written. */
function startedStep(run: Run, name: string): boolean {
  const step = run.steps.find((s) => s.name === name);
  return step !== undefined && (step.status !== 'PENDING' || Object.keys(step.notes).length > 0);
}

/**
 * Each message a run's chat step recorded is one message, claimed by no other run; a message
 * no run recorded must be one an unsettled run may have posted (same text, not yet recorded).
 */
function flagMessages(
  runs: Run[],
  stepName: string,
  messages: { ts: string; text: string }[],
  flag: (runs: Run[], detail: string) => void,
): void {
  const claimed = new Map<string, Run[]>();
  for (const run of runs) {
    const step = run.steps.find((s) => s.name === stepName);
    if (step?.status === 'SUCCEEDED' && step.ids.ts) claimed.set(step.ids.ts, [...(claimed.get(step.ids.ts) ?? []), run]);
  }
  for (const [ts, claimants] of claimed) {
    if (claimants.length > 1)
      flag(
        claimants,
        `${stepName}: message ${ts} is recorded by ${claimants.length} runs (${claimants.map((r) => r.key).join(', ')}): only one of them posted`,
      );
  }
  const pending = runs.filter((run) => {
    const step = run.steps.find((s) => s.name === stepName);
    // A definitive refusal (FAILED) posted nothing; an unknown or interrupted post may have.
    return (step?.status === 'OUTCOME_UNKNOWN' || step?.status === 'PENDING') && typeof step.notes.text === 'string';
  });
  const unclaimed = messages.filter((message) => !claimed.has(message.ts));
  for (const text of new Set(unclaimed.map((message) => message.text))) {
    const extra = unclaimed.filter((message) => message.text === text);
    const could = pending.filter((run) => run.steps.find((s) => s.name === stepName)!.notes.text === text);
    if (extra.length <= could.length) continue;
    // Who was sending when they were posted: the run that posted twice is among them.
    const sending = runs.filter((run) => extra.some((message) => inFlight(run, Number(message.ts) * 1000)));
    flag(
      sending,
      `${stepName}: ${extra.length} message(s) "${text.slice(0, 60)}" (ts ${extra.map((m) => m.ts).join(', ')}) recorded by no run, ` +
        `and only ${could.length} unsettled run(s) (${could.map((r) => r.key).join(', ') || 'none'}) may have posted them: a duplicate post; ` +
        `runs in flight then: ${sending.map((r) => `${r.key} (${r.row?.status ?? 'no row'})`).join(', ')}`,
    );
  }
}

/** Some attempt of the run was sent by `at` and not yet answered (or never answered). */
const inFlight = (run: Run, at: number) =>
  run.ops.some((op) => op.invokedAt <= at && (op.completion === 'unknown' || (op.completedAt ?? Number.POSITIVE_INFINITY) >= at));
