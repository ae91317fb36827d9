/**
 * Runs a cross-system write as explicit steps under an idempotency key.
 *
 * - The key is claimed in the durable store first: a finished key replays its stored
 *   outcome and writes nothing; a key another request is running is waited for, never
 *   run twice; a key whose last run ended OUTCOME_UNKNOWN (or whose replica died) is
 *   taken over and resumed.
 * - Steps run in order; progress is saved after each, so a resumed run skips what
 *   succeeded and re-runs only the step whose outcome was unknown. Steps make that safe
 *   themselves: Stripe requests carry Idempotency-Keys derived from the key and the step,
 *   and steps on vendors without keys look for their own earlier write first.
 * - When a step fails, the steps before it (and the failed step's partial work) are
 *   compensated in reverse order where the vendor allows it; what cannot be undone is
 *   reported as NEEDS_ATTENTION.
 * - A step that timed out after sending ends the run as OUTCOME_UNKNOWN (code
 *   WRITE_OUTCOME_UNKNOWN) without compensation: the write may have happened, and a retry
 *   with the same key settles it.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { GatewayContext } from '../context.ts';
import { GatewayError, isGatewayError, type SystemName } from '../errors.ts';
import type { AuditOutcome } from '../store/index.ts';
import { appendAudit, evictUnknown, givenKey, publishChanges, validate, type ChangeSpec } from './write.ts';

export type StepStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'OUTCOME_UNKNOWN' | 'COMPENSATED' | 'NEEDS_ATTENTION' | 'SKIPPED';
export type WorkflowStatus = 'SUCCEEDED' | 'FAILED' | 'OUTCOME_UNKNOWN';

export interface StepError {
  code: string;
  message: string;
  step?: string | null;
}

export interface StepRecord {
  name: string;
  system: SystemName;
  status: StepStatus;
  /** Upstream ids the step produced or used (e.g. `{ invoiceId: 'in_…' }`). */
  ids: Record<string, string>;
  /** What the step saved before or after its upstream write, for resumption and compensation. */
  notes: Record<string, unknown>;
  error: StepError | null;
  /** What compensation did, or why it could not. */
  compensation: string | null;
}

export interface WorkflowResult {
  operation: string;
  idempotencyKey: string;
  status: WorkflowStatus;
  replayed: boolean;
  steps: StepRecord[];
  error: StepError | null;
  /** Failures of steps outside the business change (a notification): reported, the change kept. */
  warnings: StepError[];
}

export interface StepContext {
  context: GatewayContext;
  /** Base for this step's Stripe Idempotency-Keys: stable across retries of the workflow. */
  key: string;
  /** Notes the step (and earlier steps) saved; earlier attempts' notes when resuming. */
  notes: Record<string, unknown>;
  /** Earlier steps' records, by name. */
  steps: Readonly<Record<string, StepRecord>>;
  /** True when an earlier attempt of this step ended with an unknown outcome. */
  resuming: boolean;
  /** Persists notes before an upstream write, so a takeover knows what was being attempted. */
  save(notes: Record<string, unknown>): Promise<void>;
}

export interface StepResult {
  ids: Record<string, string>;
  notes?: Record<string, unknown>;
  changes?: readonly ChangeSpec[];
}

export interface StepDefinition {
  name: string;
  system: SystemName;
  run(step: StepContext): Promise<StepResult>;
  /**
   * Undoes the step's effect; answers what it did (e.g. "voided invoice in_…"), or null when
   * there was nothing to undo. Throws when it could not: the step then needs attention.
   */
  compensate?(step: StepContext, record: StepRecord): Promise<{ summary: string | null; changes?: readonly ChangeSpec[] }>;
  /** Why this step cannot be undone, when it has no `compensate`. */
  irreversible?: string;
  /**
   * Not part of the business change (a notification): when it fails, the step is reported
   * FAILED in `warnings` and nothing is compensated — the change it announces stands.
   */
  notification?: boolean;
  /** What the step's write could have changed: evicted from the caches when its outcome is unknown. */
  affects?(step: StepContext): readonly ChangeSpec[];
}

export interface WorkflowDefinition {
  operation: string;
  idempotencyKey: string;
  /** Validated inputs: hashed (so a key reused with other inputs is refused) and audited. */
  inputs: unknown;
  steps: readonly StepDefinition[];
  /**
   * What the business action is about (e.g. `deal:123`): while one run holds it, no run
   * with another key may start on it, and a run whose outcome is unknown keeps it until
   * its own key settles it. Idempotency by subject, beside idempotency by key.
   */
  subject?: string;
  /**
   * Checks every reference that can be checked (records exist, the business rule holds,
   * a channel can be posted to) before the first write of a fresh run; a GatewayError
   * thrown here refuses the run with nothing written (audited as `rejected`).
   */
  precheck?(): Promise<void>;
}

interface State {
  steps: StepRecord[];
}

const POLL_MS = 100;

/** A subject's claim lives among the idempotency keys under a name no client key can take (`#`, `/`). */
const subjectKey = (operation: string, subject: string) => `#subject/${operation}/${subject}`;
const SUBJECT_HASH = 'subject';

interface SubjectState {
  /** The idempotency key of the run that holds (or last held) the subject. */
  key: string;
  outcome: 'running' | 'succeeded' | 'failed' | 'unknown' | 'rejected';
}

interface SubjectClaim {
  renew(): Promise<void>;
  release(outcome: SubjectState['outcome']): Promise<void>;
}

/**
 * What the engine stores (progress and the final answer) goes in as its JSON text: jsonb
 * keeps objects with their keys reordered (shortest first), and a replay must give the
 * first answer byte for byte, upstream ids in the order they were first listed.
 */
interface Stored {
  json: string;
}

const stored = (value: unknown): Stored => ({ json: JSON.stringify(value) });

/** Rows written before values were stored as text hold the object itself. */
function unstored<T>(value: unknown): T {
  const json = value !== null && typeof value === 'object' ? (value as Partial<Stored>).json : undefined;
  if (typeof json === 'string') return JSON.parse(json) as T;
  return value as T;
}

function requestHash(operation: string, inputs: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, inputs]))
    .digest('hex');
}

function toStepError(error: unknown, step: string): StepError {
  if (isGatewayError(error)) return { code: error.code, message: error.message, step };
  return { code: 'INTERNAL_SERVER_ERROR', message: 'The step failed unexpectedly; see the server log', step };
}

function isUnknownOutcome(error: unknown): boolean {
  return isGatewayError(error) && (error.code === 'UPSTREAM_TIMEOUT' || error.code === 'WRITE_OUTCOME_UNKNOWN');
}

/** How a run's key (and its subject) is left once the run ends. */
const settledAs = (status: WorkflowStatus) => (status === 'SUCCEEDED' ? 'succeeded' : status === 'OUTCOME_UNKNOWN' ? 'unknown' : 'failed');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Validates a workflow's arguments; a refusal is recorded in the audit log (as `rejected`,
 * with the raw arguments, secrets redacted) before it is thrown.
 */
export async function validateWorkflow<S extends z.ZodType>(
  context: GatewayContext,
  operation: string,
  schema: S,
  args: unknown,
): Promise<z.output<S>> {
  try {
    return validate(schema, args);
  } catch (error) {
    await appendAudit(context, {
      startedAt: new Date(),
      operation,
      idempotencyKey: givenKey(args),
      inputs: args,
      upstream: [],
      outcome: 'rejected',
      errorCode: isGatewayError(error) ? error.code : 'INTERNAL_SERVER_ERROR',
    });
    throw error;
  }
}

export async function runWorkflow(context: GatewayContext, definition: WorkflowDefinition): Promise<WorkflowResult> {
  const { store, waitMs, observer } = context.writes;
  const startedAt = new Date();
  const hash = requestHash(definition.operation, definition.inputs);
  const audit = (result: WorkflowResult, outcome: AuditOutcome) =>
    appendAudit(context, {
      startedAt,
      operation: definition.operation,
      idempotencyKey: definition.idempotencyKey,
      inputs: definition.inputs,
      upstream: result.steps
        .filter((step) => Object.keys(step.ids).length > 0)
        .map((step) => ({ system: step.system, step: step.name, ids: step.ids })),
      outcome,
      errorCode: result.error?.code ?? null,
      result: { status: result.status, steps: result.steps.map(({ name, status }) => ({ name, status })) },
    });
  const reject = async (error: GatewayError): Promise<never> => {
    const { operation, idempotencyKey, inputs } = definition;
    await appendAudit(context, { startedAt, operation, idempotencyKey, inputs, upstream: [], outcome: 'rejected', errorCode: error.code });
    throw error;
  };

  const deadline = Date.now() + waitMs;
  for (;;) {
    const { idempotency } = store;
    const claim = await idempotency.claim<Stored | State, Stored | WorkflowResult>(definition.idempotencyKey, definition.operation, hash);
    if (claim.kind === 'mismatch') {
      return reject(
        new GatewayError('BAD_USER_INPUT', 'This idempotency key was already used for a different request', {
          fields: { idempotencyKey: `already used for ${claim.operation} with other inputs` },
        }),
      );
    }
    if (claim.kind === 'finished') {
      const first = unstored<WorkflowResult>(claim.result);
      // Answers stored before warnings existed had none.
      const replay = { ...first, warnings: first.warnings ?? [], replayed: true };
      await audit(replay, 'replayed');
      return replay;
    }
    if (claim.kind === 'busy') {
      if (Date.now() >= deadline) {
        throw new GatewayError(
          'WRITE_OUTCOME_UNKNOWN',
          'A request with this idempotency key is still running; retry with the same key to get its outcome',
        );
      }
      await sleep(POLL_MS);
      continue;
    }
    const state = unstored<State | null>(claim.state) ?? { steps: [] };
    // Refused before anything more was written: the key is left to be retried, with what it had done kept.
    const giveBack = () => store.idempotency.finish(definition.idempotencyKey, claim.owner, 'unknown', stored(state), null);
    let subject: SubjectClaim | undefined;
    try {
      const { operation, idempotencyKey } = definition;
      if (definition.subject) subject = await claimSubject(context, operation, definition.subject, idempotencyKey, deadline);
      const fresh = state.steps.every((step) => step.status === 'PENDING');
      if (fresh) await definition.precheck?.();
    } catch (error) {
      await subject?.release('rejected');
      await giveBack();
      if (isGatewayError(error)) return reject(error);
      throw error;
    }
    // A run that throws (its store failed) holds the subject until the lease runs out, like a run whose replica died.
    const result = await execute(context, definition, claim.owner, state, observer, subject);
    await subject?.release(settledAs(result.status));
    await audit(
      result,
      result.status === 'SUCCEEDED'
        ? 'succeeded'
        : result.status === 'OUTCOME_UNKNOWN'
          ? 'outcome_unknown'
          : result.steps.some((s) => s.status === 'COMPENSATED')
            ? 'compensated'
            : 'failed',
    );
    return result;
  }
}

/**
 * Takes the subject for the run with `key`. Another run holding it is waited for (until
 * `deadline`); a subject whose last run ended with an unknown outcome (or died) stays that
 * run's until its key settles it. A released subject is free: whether the action may run
 * again is the business rule's to say (e.g. a deal already won is refused by winDeal's precheck).
 */
async function claimSubject(
  context: GatewayContext,
  operation: string,
  subject: string,
  key: string,
  deadline: number,
): Promise<SubjectClaim> {
  const { store } = context.writes;
  const name = subjectKey(operation, subject);
  for (;;) {
    const claim = await store.idempotency.claim<Stored | SubjectState, null>(name, `${operation}#subject`, SUBJECT_HASH);
    if (claim.kind === 'owned') {
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
        release: (outcome) => store.idempotency.finish(name, owner, 'unknown', stored({ key, outcome } satisfies SubjectState), null),
      };
    }
    if (claim.kind !== 'busy' || Date.now() >= deadline) {
      throw new GatewayError(
        'WRITE_IN_PROGRESS',
        `Another ${operation} on ${subject} is running with another idempotency key; retry once it has ended`,
      );
    }
    await sleep(POLL_MS);
  }
}

async function execute(
  context: GatewayContext,
  definition: WorkflowDefinition,
  owner: string,
  state: State,
  observer: GatewayContext['writes']['observer'],
  subject: SubjectClaim | undefined,
): Promise<WorkflowResult> {
  const { store } = context.writes;
  const key = definition.idempotencyKey;
  const records: StepRecord[] = definition.steps.map(
    (step, index) =>
      state.steps[index] ?? {
        name: step.name,
        system: step.system,
        status: 'PENDING',
        ids: {},
        notes: {},
        error: null,
        compensation: null,
      },
  );
  const save = async () => {
    await Promise.all([store.idempotency.progress(key, owner, stored({ steps: records })), subject?.renew()]);
  };
  const byName = () => Object.fromEntries(records.map((record) => [record.name, record]));
  const stepContext = (index: number): StepContext => {
    const record = records[index];
    return {
      context,
      key: `sb:${key}:${record.name}`,
      notes: record.notes,
      steps: byName(),
      resuming: record.status === 'OUTCOME_UNKNOWN',
      save: async (notes) => {
        Object.assign(record.notes, notes);
        await save();
      },
    };
  };
  const warnings: StepError[] = [];
  const finish = async (status: WorkflowStatus, error: StepError | null): Promise<WorkflowResult> => {
    const result: WorkflowResult = {
      operation: definition.operation,
      idempotencyKey: key,
      status,
      replayed: false,
      steps: records,
      error,
      warnings,
    };
    await store.idempotency.finish(key, owner, settledAs(status), stored({ steps: records }), stored(result));
    return result;
  };

  for (const [index, step] of definition.steps.entries()) {
    const record = records[index];
    if (record.status === 'SUCCEEDED') continue;
    const ctx = stepContext(index);
    await observer?.({ workflow: definition.operation, step: step.name, phase: 'start' });
    try {
      const outcome = await step.run(ctx);
      Object.assign(record, { status: 'SUCCEEDED', ids: outcome.ids, error: null });
      Object.assign(record.notes, outcome.notes ?? {});
      await save();
      await observer?.({ workflow: definition.operation, step: step.name, phase: 'end', status: record.status });
      if (outcome.changes) await publishChanges(context, outcome.changes);
    } catch (error) {
      const stepError = toStepError(error, step.name);
      if (isUnknownOutcome(error)) {
        Object.assign(record, { status: 'OUTCOME_UNKNOWN', error: { ...stepError, code: 'WRITE_OUTCOME_UNKNOWN' } });
        await observer?.({ workflow: definition.operation, step: step.name, phase: 'end', status: record.status });
        const evicted = await evictUnknown(context, step.affects?.(ctx) ?? []);
        return finish('OUTCOME_UNKNOWN', {
          code: 'WRITE_OUTCOME_UNKNOWN',
          message: `Step ${step.name} was sent but its outcome is unknown (${stepError.message}); ${
            evicted ? 'cached copies of what it could have changed were evicted, so a read now asks the vendor; ' : ''
          }retry with the same idempotency key to settle it`,
          step: step.name,
        });
      }
      Object.assign(record, { status: 'FAILED', error: stepError });
      await observer?.({ workflow: definition.operation, step: step.name, phase: 'end', status: record.status });
      if (step.notification) {
        warnings.push(stepError);
        await save();
        continue;
      }
      // The failed step's own partial work first (e.g. a draft invoice whose lines failed), then the earlier steps.
      await compensate(context, definition, records, index, stepContext);
      return finish('FAILED', stepError);
    }
  }
  return finish('SUCCEEDED', null);
}

async function compensate(
  context: GatewayContext,
  definition: WorkflowDefinition,
  records: StepRecord[],
  failedIndex: number,
  stepContext: (index: number) => StepContext,
): Promise<void> {
  for (let index = failedIndex; index >= 0; index--) {
    const step = definition.steps[index];
    const record = records[index];
    const partial = index === failedIndex;
    if (!partial && record.status !== 'SUCCEEDED') continue;
    if (!step.compensate) {
      if (!partial)
        Object.assign(record, { status: 'NEEDS_ATTENTION', compensation: step.irreversible ?? 'This step cannot be undone automatically' });
      continue;
    }
    try {
      const undone = await step.compensate(stepContext(index), record);
      if (undone.changes) await publishChanges(context, undone.changes);
      if (partial) {
        if (undone.summary) record.compensation = undone.summary;
      } else if (undone.summary) Object.assign(record, { status: 'COMPENSATED', compensation: undone.summary });
      else record.compensation = 'Nothing to undo';
    } catch (error) {
      const reason = isGatewayError(error) ? error.message : 'compensation failed unexpectedly';
      if (partial) record.compensation = `Could not undo the partial write: ${reason}`;
      else Object.assign(record, { status: 'NEEDS_ATTENTION', compensation: `Compensation failed: ${reason}` });
    }
  }
}
