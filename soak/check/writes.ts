/**
 * Invariant 1: every acknowledged write is in its system of record exactly once, and a write
 * answered with an error left no trace. Each operation writes a value of its own (retries
 * carry the first attempt's), so the vendor's records say which operation put what there:
 *
 * - updates (a contact's job title, a customer's name): the record's change history shows
 *   each acknowledged value set while its write was in flight, no value set more often than
 *   attempts were made, no value set that no attempt in flight could have sent, and the record
 *   holds the value its history last set;
 * - creates (a message, a deal, an onboarded contact and customer, a won deal's invoice): an
 *   acknowledged one exists exactly once, an unanswered one at most once, a refused one not at all.
 */
import type { Operation } from '../history.ts';
import type { CheckInput, InvariantResult, Violation } from './types.ts';
import { acknowledged, answered, chains, ids, mayHaveWritten, refused, type AnsweredWorkflow, type Chain } from './history-views.ts';
import type { Records, Transition } from './records.ts';
import { snapshot } from './snapshot.ts';
import type { GatewayStore } from './gateway-store.ts';

export async function checkWrites(input: CheckInput): Promise<InvariantResult> {
  const { history } = input;
  const { records, store, start } = await snapshot(input);
  const violations: Violation[] = [];
  let checked = 0;
  const judge = (found: Violation[], count: number) => {
    violations.push(...found);
    checked += count;
  };

  const { crm, billing, chat } = records;
  const contactWrites = [...chains(history, 'write:updateContact'), ...chains(history, 'vendor:edit')];
  for (const [id, subjectChains] of bySubject(contactWrites)) {
    const contact = crm.contact(id);
    const changes = contact ? crm.changes(contact, 'jobtitle') : [];
    judge(judgeUpdates(`contact ${id} jobtitle`, subjectChains, changes, contact?.properties.jobtitle), subjectChains.length);
  }
  for (const [id, subjectChains] of bySubject(chains(history, 'write:updateCustomer'))) {
    const customer = await billing.current('customers', id);
    judge(
      judgeUpdates(`customer ${id} name`, subjectChains, billing.nameChanges(id), customer?.name as string | undefined),
      subjectChains.length,
    );
  }

  const general = chat.channelId('general');
  const posted = chat.botMessages(general, start);
  const posts = chains(history, 'write:postMessage');
  // The bot posts to #general for these writes and for onboarding welcomes (whose texts the runs record); nothing else.
  const texts = new Set([
    ...posts.map((chain) => chain.first.value),
    ...[...store.keys.values()].flatMap((row) => row.steps.filter((step) => step.name === 'chat.welcome').map((step) => step.notes.text)),
  ]);
  for (const message of posted.filter((m) => !texts.has(m.text))) {
    violations.push({ ops: [], detail: `the bot posted "${message.text.slice(0, 80)}" (ts ${message.ts}) to #general for no operation` });
  }
  for (const chain of posts) {
    const found = posted.filter((message) => message.text === chain.first.value);
    judge(judgeCreate('message', chain, found.length), 1);
    const ts = (lastOk(chain)?.result as { ts?: string } | undefined)?.ts;
    if (ts !== undefined && found.length === 1 && found[0].ts !== ts)
      violations.push({
        ops: ids(chain.attempts),
        detail: `message "${chain.first.value}" answered as ts ${ts}, Slack holds it as ${found[0].ts}`,
      });
  }
  for (const chain of chains(history, 'write:createDeal')) {
    // An archived deal is the undo of a creation whose link failed: no trace left.
    const found = crm.dealsNamed(chain.first.value ?? '').filter((deal) => !deal.archived);
    judge(judgeCreate('deal', chain, found.length), 1);
    const id = (lastOk(chain)?.result as { id?: string } | undefined)?.id;
    if (id !== undefined && found.length === 1 && found[0].id !== id)
      violations.push({
        ops: ids(chain.attempts),
        detail: `deal "${chain.first.value}" answered as ${id}, HubSpot holds it as ${found[0].id}`,
      });
  }

  for (const chain of [...chains(history, 'workflow:onboardCustomer'), ...chains(history, 'workflow:winDeal')])
    judge(judgeWorkflowCreates(chain, records, store), 1);

  return { id: 1, name: 'acknowledged writes present exactly once; refused writes left no trace', checked, violations };
}

function bySubject(all: Chain[]): Map<string, Chain[]> {
  const out = new Map<string, Chain[]>();
  for (const chain of all) {
    const subject = chain.first.subject ?? '';
    out.set(subject, [...(out.get(subject) ?? []), chain]);
  }
  return out;
}

const lastOk = (chain: Chain) => chain.attempts.findLast((op) => op.completion === 'ok');

const when = (ms: number) => new Date(ms).toISOString();

/** Could this attempt have made the change? Only while it was in flight, or at any time after it was sent when it was never answered. */
function couldHaveMade(op: Operation, change: Transition): boolean {
  if (op.invokedAt > change.at + change.withinMs) return false;
  if (op.completion === 'unknown') return true;
  return op.completion === 'ok' && change.at <= (op.completedAt ?? Number.POSITIVE_INFINITY);
}

function judgeUpdates(what: string, subjectChains: Chain[], changes: Transition[], current: string | null | undefined): Violation[] {
  const violations: Violation[] = [];
  const last = changes.at(-1);
  if (last && last.value !== (current ?? null)) {
    violations.push({
      ops: [],
      detail: `${what} holds "${current}", but its history's last change set "${last.value}" at ${when(last.at)}`,
    });
  }
  const byValue = new Map(subjectChains.map((chain) => [chain.first.value, chain]));
  for (const chain of subjectChains) {
    const value = chain.first.value;
    const applied = changes.filter((change) => change.value === value);
    const ops = ids(chain.attempts);
    if (refused(chain) && applied.length > 0) {
      const codes = chain.attempts.flatMap((op) => op.codes ?? []).join(',');
      violations.push({ ops, detail: `${what}: "${value}" was answered with an error (${codes}) yet set at ${when(applied[0].at)}` });
      continue;
    }
    const ok = lastOk(chain);
    // Acknowledged: set between the first attempt's sending and the acknowledgement (an earlier attempt may have set it).
    const setInTime = (change: Transition) => change.at + change.withinMs >= chain.first.invokedAt && change.at <= ok!.completedAt!;
    if (ok && !applied.some(setInTime)) {
      violations.push({
        ops,
        detail: `${what}: "${value}" was acknowledged at ${when(ok.completedAt!)} but the vendor's history never shows it set (lost write)`,
      });
    }
    const attempts = mayHaveWritten(chain).length;
    if (applied.length > attempts) {
      violations.push({
        ops,
        detail: `${what}: "${value}" was set ${applied.length} times by ${attempts} attempt(s) that may have written (duplicate)`,
      });
    }
  }
  for (const change of changes) {
    const chain = byValue.get(change.value);
    // A refused write that was applied anyway is reported above, once.
    if (chain && (refused(chain) || chain.attempts.some((op) => couldHaveMade(op, change)))) continue;
    violations.push({
      ops: chain ? ids(chain.attempts) : [],
      detail: chain
        ? `${what}: "${change.value}" was set at ${when(change.at)} (${change.source}), when no attempt that could have written it was in flight`
        : `${what}: "${change.value}" was set at ${when(change.at)} (${change.source}) by no operation of the history`,
    });
  }
  return violations;
}

/** `found` records carry the chain's value: one when acknowledged, at most one when unanswered, none when refused. */
function judgeCreate(noun: string, chain: Chain, found: number): Violation[] {
  const ops = ids(chain.attempts);
  const value = chain.first.value;
  if (acknowledged(chain) && found !== 1) return [{ ops, detail: `${noun} "${value}" was acknowledged; the vendor holds ${found}` }];
  if (refused(chain) && found !== 0) {
    const codes = chain.attempts.flatMap((op) => op.codes ?? []).join(',');
    return [{ ops, detail: `${noun} "${value}" was answered with an error (${codes}); the vendor holds ${found}` }];
  }
  if (found > 1) return [{ ops, detail: `${noun} "${value}" was never answered; the vendor holds ${found} (duplicate)` }];
  return [];
}

const upstreamId = (result: AnsweredWorkflow, step: string, name: string) =>
  result.steps.find((s) => s.name === step)?.upstreamIds.find((id) => id.name === name)?.value;

/** What a workflow creates: its key's Stripe objects, an onboarded contact. */
function judgeWorkflowCreates(chain: Chain, { crm, billing }: Records, store: GatewayStore): Violation[] {
  const key = chain.first.idempotencyKey!;
  const ops = ids(chain.attempts);
  const created = billing.createdUnder(`sb:${key}:`);
  if (refused(chain)) {
    const row = store.keys.get(key);
    const started = row?.steps.filter((step) => step.status !== 'PENDING').map((step) => `${step.name} ${step.status}`) ?? [];
    const trace = [...created.map((event) => `${event.type} ${String(event.object.id)}`), ...started];
    const codes = chain.attempts.flatMap((op) => op.codes ?? []).join(',');
    return trace.length
      ? [{ ops, detail: `${chain.first.kind} ${key} was answered with an error (${codes}) yet left ${trace.join(', ')}` }]
      : [];
  }
  const ok = lastOk(chain);
  const result = ok ? answered(ok) : undefined;
  if (!result || result.status !== 'SUCCEEDED') return [];
  const violations: Violation[] = [];
  const expect = (type: string, step: string, name: string) => {
    const made = created.filter((event) => event.type === type && event.idempotencyKey!.startsWith(`sb:${key}:${step}:`));
    const id = upstreamId(result, step, name);
    const madeIds = made.map((event) => String(event.object.id));
    if (made.length !== 1 || madeIds[0] !== id)
      violations.push({
        ops,
        detail: `${key} succeeded with ${name} ${id}; Stripe created ${made.length} under its key (${madeIds.join(', ')})`,
      });
  };
  if (chain.first.kind === 'workflow:onboardCustomer') {
    const live = crm.contactsWithEmail(chain.first.subject ?? '').filter((contact) => !contact.archived);
    const contactId = upstreamId(result, 'crm.createContact', 'contactId');
    if (live.length !== 1 || live[0].id !== contactId) {
      violations.push({
        ops,
        detail: `${key} succeeded with contact ${contactId}; HubSpot holds ${live.length} live contact(s) for ${chain.first.subject} (${live.map((c) => c.id).join(', ')})`,
      });
    }
    expect('customer.created', 'billing.createCustomer', 'customerId');
    expect('customer.subscription.created', 'billing.createSubscription', 'subscriptionId');
  } else {
    expect('invoice.created', 'billing.createInvoice', 'invoiceId');
  }
  return violations;
}
