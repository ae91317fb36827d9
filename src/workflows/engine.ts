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
 *   reported as NEEDS_ATTENTION. The failure is saved before the first undo, and each undo
 *   is marked begun before it is sent, so a run taken over mid-way goes on undoing (never
 *   forward again) and its saved steps never claim an effect an undo may have removed.
 * - A step that timed out after sending ends the run as OUTCOME_UNKNOWN (code
 *   WRITE_OUTCOME_UNKNOWN) without compensation: the write may have happened, and a retry
 *   with the same key settles it.
 */ import type { z } from 'zod';
import { readingAfresh } from '../cache/reads-begun.ts';
import { validate } from '../command.ts';
import type { GatewayContext } from '../context.ts';
import { GatewayError, isGatewayError, retryPassingFailures } from '../errors.ts';
import type { AuditOutcome } from '../store/index.ts';
import { remainingMs } from '../upstream/deadline.ts';
import { claimKey, claimSubject, settledAs, stored, unstored, type Stored, type SubjectClaim } from './claims.ts';
import {
  UNDO_BEGUN,
  type StepContext,
  type StepError,
  type StepRecord,
  type WorkflowDefinition,
  type WorkflowResult,
  type WorkflowStatus,
} from './definition.ts';
import { appendAudit, evictUnknown, givenKey, isOutcomeUnknown, publishChanges } from './write.ts';

interface State {
  steps: StepRecord[];
}

/**
 * This run's lease on its key ran out while it ran (a step slower than the lease, a stalled
 * machine) and another request with the key took the write over: it stops at once, without
 * undoing anything — the write is the other request's to finish now.
 */
class RunTakenOver extends Error {}

function toStepError(error: unknown, step: string): StepError {
  if (isGatewayError(error)) return { code: error.code, message: error.message, step };
  return { code: 'INTERNAL_SERVER_ERROR', message: 'The step failed unexpectedly; see the server log', step };
}

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

/** The run's audit rows: one per call, for a run, a replay or a refusal. */
function auditor(context: GatewayContext, definition: WorkflowDefinition) {
  const startedAt = new Date();
  const { operation, idempotencyKey, inputs } = definition;
  return {
    record: (result: WorkflowResult, outcome: AuditOutcome) =>
      appendAudit(context, {
        startedAt,
        operation,
        idempotencyKey,
        inputs,
        upstream: result.steps
          .filter((step) => Object.keys(step.ids).length > 0)
          .map((step) => ({ system: step.system, step: step.name, ids: step.ids })),
        outcome,
        errorCode: result.error?.code ?? null,
        result: { status: result.status, steps: result.steps.map(({ name, status }) => ({ name, status })) },
      }),
    reject: async (error: GatewayError): Promise<never> => {
      await appendAudit(context, {
        startedAt,
        operation,
        idempotencyKey,
        inputs,
        upstream: [],
        outcome: 'rejected',
        errorCode: error.code,
      });
      throw error;
    },
  };
}

type Auditor = ReturnType<typeof auditor>;

/** The audit outcome of a run that ended. */
function auditOutcome(result: WorkflowResult): AuditOutcome {
  if (result.status === 'SUCCEEDED') return 'succeeded';
  if (result.status === 'OUTCOME_UNKNOWN') return 'outcome_unknown';
  return result.steps.some((s) => s.status === 'COMPENSATED') ? 'compensated' : 'failed';
}

export const runWorkflow = (context: GatewayContext, definition: WorkflowDefinition): Promise<WorkflowResult> =>
  readingAfresh(() => run(context, definition));

async function run(context: GatewayContext, definition: WorkflowDefinition): Promise<WorkflowResult> {
  const audit = auditor(context, definition);
  // Waiting for a running key (or subject) may take at most half of what the request has left:
  // a key taken over with no time left to run the write would only fail it on the deadline.
  const deadline = Date.now() + Math.min(context.writes.waitMs, remainingMs(context.signal) / 2);
  const claim = await claimKey<Stored | State, Stored | WorkflowResult>(context.writes.store, definition, deadline);
  if (claim.kind === 'mismatch') {
    return audit.reject(
      new GatewayError('BAD_USER_INPUT', 'This idempotency key was already used for a different request', {
        fields: { idempotencyKey: `already used for ${claim.operation} with other inputs` },
      }),
    );
  }
  if (claim.kind === 'finished') {
    const first = unstored<WorkflowResult>(claim.result);
    // Answers stored before warnings existed had none.
    const replay = { ...first, warnings: first.warnings ?? [], replayed: true };
    await audit.record(replay, 'replayed');
    return replay;
  }
  // A key claimed by a replica that died before saving any progress holds the column's initial `{}`: a fresh run.
  const saved = unstored<Partial<State> | null>(claim.state);
  const state: State = { steps: Array.isArray(saved?.steps) ? saved.steps : [] };
  const subject = await admit(context, definition, claim.owner, state, deadline, audit);
  const started = startRun(context, definition, claim.owner, state, subject);
  let result: WorkflowResult;
  try {
    // A run that throws (its store failed) holds the subject until the lease runs out, like a run whose replica died.
    result = await execute(context, definition, started);
  } catch (error) {
    if (!(error instanceof RunTakenOver)) throw error;
    // The request that took the write over holds the key and the subject now, and settles both.
    const overtaken = takenOver(definition, started);
    await audit.record(overtaken, 'outcome_unknown');
    return overtaken;
  }
  await subject?.release(settledAs(result.status));
  await audit.record(result, auditOutcome(result));
  context.writes.onSettled?.(result, auditOutcome(result));
  return result;
}

/**
 * Takes the run's subject and, before the first write of a fresh run, runs its precheck. A
 * refusal releases the subject, gives the key back and is audited as `rejected`.
 */
async function admit(
  context: GatewayContext,
  definition: WorkflowDefinition,
  owner: string,
  state: State,
  deadline: number,
  audit: Auditor,
): Promise<SubjectClaim | undefined> {
  const { store } = context.writes;
  let subject: SubjectClaim | undefined;
  try {
    const { operation, idempotencyKey } = definition;
    if (definition.subject) subject = await claimSubject(store, operation, definition.subject, idempotencyKey, deadline);
    // A step that saved notes may have written before its replica died: the run resumes, and is not refused by a
    // precheck of the world it may have changed itself (refusing it would free the subject for another key's run,
    // which the resumed step could then take for its own, e.g. onboarding's contact).
    const fresh = state.steps.every((step) => step.status === 'PENDING' && Object.keys(step.notes).length === 0);
    if (fresh) await definition.precheck?.();
    return subject;
  } catch (error) {
    await subject?.release('rejected');
    // Refused before anything more was written: the key is left to be retried, with what it had done kept.
    await store.idempotency.finish(definition.idempotencyKey, owner, 'unknown', stored(state), null);
    if (isGatewayError(error)) return audit.reject(error);
    throw error;
  }
}

/** What the overtaken request answers: where it got to, and that a retry with the key gives the outcome. */
function takenOver(definition: WorkflowDefinition, run: Run): WorkflowResult {
  return {
    operation: definition.operation,
    idempotencyKey: definition.idempotencyKey,
    status: 'OUTCOME_UNKNOWN',
    replayed: false,
    steps: run.records,
    error: {
      code: 'WRITE_OUTCOME_UNKNOWN',
      message:
        'This request kept the write past its claim on the idempotency key, and another request with the key took it over; ' +
        'retry with the same key to get its outcome',
      step: null,
    },
    warnings: run.warnings,
  };
}

/** A run in progress: its step records, how progress is saved, and how it ends. */
interface Run {
  records: StepRecord[];
  warnings: StepError[];
  save(): Promise<void>;
  /** `within`: the context to act in (default the request's; an undo gets a fresh deadline). */
  stepContext(index: number, within?: GatewayContext): StepContext;
  observe(step: string, phase: 'start' | 'end', status?: string): Promise<void>;
  finish(status: WorkflowStatus, error: StepError | null): Promise<WorkflowResult>;
}

function startRun(context: GatewayContext, definition: WorkflowDefinition, owner: string, state: State, subject?: SubjectClaim): Run {
  const { store, observer } = context.writes;
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
    const [kept] = await Promise.all([store.idempotency.progress(key, owner, stored({ steps: records })), subject?.renew()]);
    if (!kept) throw new RunTakenOver();
  };
  const byName = () => Object.fromEntries(records.map((record) => [record.name, record]));
  const warnings: StepError[] = [];
  return {
    records,
    warnings,
    save,
    stepContext(index, within = context) {
      const record = records[index];
      return {
        context: within,
        key: `sb:${key}:${record.name}`,
        notes: record.notes,
        steps: byName(),
        // An earlier attempt began this step: its outcome is unknown, or its replica died mid-step after saving notes.
        resuming: record.status === 'OUTCOME_UNKNOWN' || (record.status === 'PENDING' && Object.keys(record.notes).length > 0),
        save: async (notes) => {
          Object.assign(record.notes, notes);
          await save();
        },
      };
    },
    observe: async (step, phase, status) => {
      await observer?.({ workflow: definition.operation, step, phase, ...(status === undefined ? {} : { status }) });
    },
    async finish(status, error) {
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
    },
  };
}

async function execute(context: GatewayContext, definition: WorkflowDefinition, run: Run): Promise<WorkflowResult> {
  // Taken over while it was undoing a failure: it goes on undoing.
  const failed = run.records.findIndex((record, index) => record.status === 'FAILED' && !definition.steps[index].notification);
  if (failed >= 0) {
    await compensate(context, definition, run, failed);
    return run.finish('FAILED', run.records[failed].error);
  }
  for (const index of definition.steps.keys()) {
    if (run.records[index].status === 'SUCCEEDED') continue;
    const ended = await runStep(context, definition, run, index);
    if (ended) return ended;
  }
  return run.finish('SUCCEEDED', null);
}

/** Runs one step: null to go on to the next, or the run's result when the step ended it. */
async function runStep(context: GatewayContext, definition: WorkflowDefinition, run: Run, index: number): Promise<WorkflowResult | null> {
  const step = definition.steps[index];
  const record = run.records[index];
  const ctx = run.stepContext(index);
  await run.observe(step.name, 'start');
  // The change is dated when it was sent, like a single-system write's: the vendor's webhook
  // for it, dated by the vendor at or after this, is then known as its echo and not sent twice.
  const sentAt = Date.now();
  try {
    const outcome = await step.run(ctx);
    Object.assign(record, { status: 'SUCCEEDED', ids: outcome.ids, error: null });
    Object.assign(record.notes, outcome.notes ?? {});
    await run.save();
    await run.observe(step.name, 'end', record.status);
    if (outcome.changes) await publishChanges(context, outcome.changes, sentAt);
    return null;
  } catch (error) {
    if (error instanceof RunTakenOver) throw error;
    const stepError = toStepError(error, step.name);
    if (isOutcomeUnknown(error) || (isGatewayError(error) && error.code === 'WRITE_OUTCOME_UNKNOWN')) {
      Object.assign(record, { status: 'OUTCOME_UNKNOWN', error: { ...stepError, code: 'WRITE_OUTCOME_UNKNOWN' } });
      await run.observe(step.name, 'end', record.status);
      const evicted = await evictUnknown(context, step.affects?.(ctx) ?? [], sentAt);
      return run.finish('OUTCOME_UNKNOWN', {
        code: 'WRITE_OUTCOME_UNKNOWN',
        message: `Step ${step.name} was sent but its outcome is unknown (${stepError.message}); ${
          evicted ? 'cached copies of what it could have changed were evicted, so a read now asks the vendor; ' : ''
        }retry with the same idempotency key to settle it`,
        step: step.name,
      });
    }
    Object.assign(record, { status: 'FAILED', error: stepError });
    await run.save();
    await run.observe(step.name, 'end', record.status);
    if (step.notification) {
      run.warnings.push(stepError);
      return null;
    }
    // The failed step's own partial work first (e.g. a draft invoice whose lines failed), then the earlier steps.
    await compensate(context, definition, run, index);
    return run.finish('FAILED', stepError);
  }
}

/** Waits before undoing a step again: an undo that fails leaves half a business action behind. */
const UNDO_RETRY_MS = [250, 1_000, 2_500];

const undoAgainAfterPassingFailures = <T>(undo: () => Promise<T>) => retryPassingFailures(undo, UNDO_RETRY_MS, 2_500);

/**
 * Undoes the failed step's partial work, then the earlier steps, newest first. The undo gets a
 * deadline of its own: the failure may have used up the request's, and an undo cut short by it
 * leaves half a business action behind. The lease is renewed after each undo, so the key is not
 * taken over meanwhile.
 */
async function compensate(context: GatewayContext, definition: WorkflowDefinition, run: Run, failedIndex: number): Promise<void> {
  const fresh = context.renew?.({ outliveClient: true });
  try {
    await compensateWithin(fresh ?? context, definition, run, failedIndex);
  } finally {
    fresh?.dispose();
  }
}

async function compensateWithin(context: GatewayContext, definition: WorkflowDefinition, run: Run, failedIndex: number): Promise<void> {
  for (let index = failedIndex; index >= 0; index--) {
    const step = definition.steps[index];
    const record = run.records[index];
    const partial = index === failedIndex;
    if (!partial && record.status !== 'SUCCEEDED') continue;
    if (!step.compensate) {
      if (!partial)
        Object.assign(record, { status: 'NEEDS_ATTENTION', compensation: step.irreversible ?? 'This step cannot be undone automatically' });
      continue;
    }
    record.compensation = UNDO_BEGUN;
    await run.save();
    const sentAt = Date.now();
    try {
      const undone = await undoAgainAfterPassingFailures(() => step.compensate!(run.stepContext(index, context), record));
      if (undone.changes) await publishChanges(context, undone.changes, sentAt);
      if (partial) record.compensation = undone.summary;
      else if (undone.summary) Object.assign(record, { status: 'COMPENSATED', compensation: undone.summary });
      else record.compensation = 'Nothing to undo';
    } catch (error) {
      const reason = isGatewayError(error) ? error.message : 'compensation failed unexpectedly';
      if (partial) record.compensation = `Could not undo the partial write: ${reason}`;
      else Object.assign(record, { status: 'NEEDS_ATTENTION', compensation: `Compensation failed: ${reason}` });
    }
    await run.save();
  }
}
