/**
 * The claims a cross-system write holds in the durable store while it runs: its idempotency
 * key (a finished key replays, a running one is waited for, a mismatched one is refused) and
 * its subject (e.g. `deal:123`: one run at a time, whatever its key).
 */
import { createHash } from 'node:crypto';
import { GatewayError } from '../errors.ts';
import type { Claim, WriteStore } from '../store/index.ts';
import type { WorkflowStatus } from './definition.ts';

const POLL_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the engine stores (progress and the final answer) goes in as its JSON text: jsonb
 * keeps objects with their keys reordered (shortest first), and a replay must give the
 * first answer byte for byte, upstream ids in the order they were first listed.
 */
export interface Stored {
  json: string;
}

export const stored = (value: unknown): Stored => ({ json: JSON.stringify(value) });

/** Rows written before values were stored as text hold the object itself. */
export function unstored<T>(value: unknown): T {
  const json = value !== null && typeof value === 'object' ? (value as Partial<Stored>).json : undefined;
  if (typeof json === 'string') return JSON.parse(json) as T;
  return value as T;
}

/** How a run's key (and its subject) is left once the run ends. */
export const settledAs = (status: WorkflowStatus) =>
  status === 'SUCCEEDED' ? 'succeeded' : status === 'OUTCOME_UNKNOWN' ? 'unknown' : 'failed';

function requestHash(operation: string, inputs: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, inputs]))
    .digest('hex');
}

/**
 * Claims the run's idempotency key, waiting (until `deadline`) while another request runs
 * it; the key is then owned, finished (replay it) or used with other inputs (a mismatch).
 */
export async function claimKey<S, R>(
  store: WriteStore,
  run: { operation: string; idempotencyKey: string; inputs: unknown },
  deadline: number,
): Promise<Exclude<Claim<S, R>, { kind: 'busy' }>> {
  const hash = requestHash(run.operation, run.inputs);
  return claimWhenFree<S, R>(store, run.idempotencyKey, run.operation, hash, deadline, () => {
    return new GatewayError(
      'WRITE_OUTCOME_UNKNOWN',
      'A request with this idempotency key is still running; retry with the same key to get its outcome',
    );
  });
}

/** Claims `name`, polling while another request holds it; past `deadline`, throws what `stillBusy` builds. */
async function claimWhenFree<S, R>(
  store: WriteStore,
  name: string,
  operation: string,
  hash: string,
  deadline: number,
  stillBusy: () => GatewayError,
): Promise<Exclude<Claim<S, R>, { kind: 'busy' }>> {
  for (;;) {
    const claim = await store.idempotency.claim<S, R>(name, operation, hash);
    if (claim.kind !== 'busy') return claim;
    if (Date.now() >= deadline) throw stillBusy();
    await sleep(POLL_MS);
  }
}

/** A subject's claim lives among the idempotency keys under a name no client key can take (`#`, `/`). */
const subjectKey = (operation: string, subject: string) => `#subject/${operation}/${subject}`;
const SUBJECT_HASH = 'subject';

interface SubjectState {
  /** The idempotency key of the run that holds (or last held) the subject. */
  key: string;
  outcome: 'running' | 'succeeded' | 'failed' | 'unknown' | 'rejected';
}

export interface SubjectClaim {
  renew(): Promise<void>;
  release(outcome: SubjectState['outcome']): Promise<void>;
}

/**
 * Takes the subject for the run with `key`. Another run holding it is waited for (until
 * `deadline`); a subject whose last run ended with an unknown outcome (or died) stays that
 * run's until its key settles it. A released subject is free: whether the action may run
 * again is the business rule's to say (e.g. a deal already won is refused by winDeal's precheck).
 */
export async function claimSubject(
  store: WriteStore,
  operation: string,
  subject: string,
  key: string,
  deadline: number,
): Promise<SubjectClaim> {
  const name = subjectKey(operation, subject);
  const inProgress = () =>
    new GatewayError(
      'WRITE_IN_PROGRESS',
      `Another ${operation} on ${subject} is running with another idempotency key; retry once it has ended`,
    );
  const claim = await claimWhenFree<Stored | SubjectState, null>(store, name, `${operation}#subject`, SUBJECT_HASH, deadline, inProgress);
  if (claim.kind !== 'owned') throw inProgress();
  const { owner } = claim;
  const previous = unstored<SubjectState | null>(claim.state);
  if (previous && previous.key !== key && (previous.outcome === 'running' || previous.outcome === 'unknown')) {
    // Put it back as it was: it is the other key's to settle.
    await store.idempotency.finish(name, owner, 'unknown', stored(previous), null);
    throw new GatewayError(
      'WRITE_IN_PROGRESS',
      `An earlier ${operation} on ${subject} (idempotency key ${previous.key}) has not settled: its outcome is unknown; ` +
        'retry that key to settle it before starting another',
    );
  }
  const state = stored({ key, outcome: 'running' } satisfies SubjectState);
  await store.idempotency.progress(name, owner, state);
  return {
    renew: async () => {
      await store.idempotency.progress(name, owner, state);
    },
    async release(outcome) {
      const settled = stored({ key, outcome } satisfies SubjectState);
      if (await store.idempotency.finish(name, owner, 'unknown', settled, null)) return;
      // This run's lease ran out while it ran (a slow step, a busy machine), and another key's run took the subject
      // to look, found this run's, and put it back under its own claim: settle it under a new one, or the subject
      // would stay this run's, unsettled, for good (its key replays and never comes back to it). Only that: a subject
      // another run holds now (busy), or one that already says how a run of this key ended, is left as it is.
      const again = await store.idempotency.claim<Stored | SubjectState, null>(name, `${operation}#subject`, SUBJECT_HASH);
      if (again.kind !== 'owned') return;
      const now = unstored<SubjectState | null>(again.state);
      const unsettledOurs = now?.key === key && now.outcome === 'running';
      await store.idempotency.finish(name, again.owner, 'unknown', unsettledOurs ? settled : stored(now), null);
    },
  };
}

/**
 * Runs `ensure` holding the contact's billing-customer claim: writes on different subjects (two
 * deals of one contact) make its customer one at a time, and each is told the customer the last
 * one ended with (`known`) — which Stripe's search, seconds behind writes, may not show yet, and
 * the shared cache may have lost. `ensure` answers the customer the contact has after it.
 */
export async function withContactCustomer<T>(
  store: WriteStore,
  contactId: string,
  deadline: number,
  ensure: (known: string | undefined) => Promise<{ customerId: string | undefined; value: T }>,
): Promise<T> {
  const name = `#contact-customer/${contactId}`;
  const inProgress = () =>
    new GatewayError('WRITE_IN_PROGRESS', `Another write is making the billing customer of contact ${contactId}; retry once it has ended`, {
      service: 'billing',
    });
  const claim = await claimWhenFree<Stored | ContactCustomer, null>(
    store,
    name,
    'billing.customer#contact',
    'contact',
    deadline,
    inProgress,
  );
  if (claim.kind !== 'owned') throw inProgress();
  const known = unstored<ContactCustomer | null>(claim.state)?.customerId;
  const release = (customerId: string | undefined) =>
    store.idempotency.finish(name, claim.owner, 'unknown', stored({ customerId } satisfies ContactCustomer), null);
  let ensured: Awaited<ReturnType<typeof ensure>>;
  try {
    ensured = await ensure(known);
  } catch (error) {
    await release(known).catch(() => undefined);
    throw error;
  }
  await release(ensured.customerId ?? known);
  return ensured.value;
}

interface ContactCustomer {
  customerId?: string;
}
