/**
 * Invariant 5: every acknowledged write has its audit row, and the log has no gaps or
 * duplicates. Rows are joined to operations by the `x-request-id` each request carried: one
 * row per acknowledged write, at most one for any other request, none that no operation of
 * the history explains; each row says what the client was told (a replayed answer is
 * `replayed`, a compensated run `compensated`), with the upstream ids the answer gave.
 */
import type { Operation } from '../history.ts';
import type { CheckInput, InvariantResult, Violation } from './types.ts';
import type { AuditRow } from './gateway-store.ts';
import { answered, isWrite, operationOf, type AnsweredWorkflow } from './history-views.ts';
import { snapshot } from './snapshot.ts';

/** Answers given before the write began, by the layers in front of it: no write, so no row. */
const BEFORE_THE_WRITE = new Set(['OVERLOADED', 'UNAUTHENTICATED', 'FORBIDDEN', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']);

export async function checkAudit(input: CheckInput): Promise<InvariantResult> {
  const { store } = await snapshot(input);
  const violations: Violation[] = [];
  const rowsOf = new Map<string, AuditRow[]>();
  for (const row of store.audit) if (row.requestId) rowsOf.set(row.requestId, [...(rowsOf.get(row.requestId) ?? []), row]);

  const writes = input.history.operations.filter((op) => isWrite(op) && op.requestId);
  const ours = new Set(writes.map((op) => op.requestId!));
  let checked = 0;
  for (const op of writes) {
    const rows = rowsOf.get(op.requestId!) ?? [];
    const what = `${op.kind} ${op.idempotencyKey ?? op.value ?? ''} (${op.completion}${op.codes?.length ? ` ${op.codes.join(',')}` : ''})`;
    if (rows.length > 1)
      violations.push({ ops: [op.id], detail: `${what} has ${rows.length} audit rows (ids ${rows.map((r) => r.id).join(', ')})` });
    if (op.completion === 'ok' || (op.completion === 'error' && !(op.codes ?? []).some((code) => BEFORE_THE_WRITE.has(code)))) {
      checked++;
      if (rows.length === 0) violations.push({ ops: [op.id], detail: `${what} has no audit row (request ${op.requestId})` });
    }
    for (const row of rows) {
      const problem = mismatch(op, row);
      if (problem) violations.push({ ops: [op.id], detail: `${what}: audit row ${row.id} ${problem}` });
    }
  }

  for (const row of store.audit) {
    if (!row.requestId || !ours.has(row.requestId))
      violations.push({
        ops: [],
        detail: `audit row ${row.id} (${row.operation} ${row.outcome}, request ${row.requestId}) belongs to no operation of the history`,
      });
  }
  const missing: number[] = [];
  store.audit.forEach((row, index) => {
    const expected = (store.audit[index - 1]?.id ?? 0) + 1;
    for (let id = expected; id < row.id && missing.length < 20; id++) missing.push(id);
  });
  if (missing.length)
    violations.push({ ops: [], detail: `audit log ids missing (a row lost after its id was taken): ${missing.join(', ')}` });

  return {
    id: 5,
    name: 'audit rows: one per write, none unexplained, outcomes as answered',
    checked,
    violations,
    figures: { rows: store.audit.length },
  };
}

/** What the row should say, judged from what the client was told; null when it says it. */
function mismatch(op: Operation, row: AuditRow): string | null {
  if (row.operation !== operationOf(op)) return `is for ${row.operation}`;
  if ((row.idempotencyKey ?? undefined) !== op.idempotencyKey) return `names key ${row.idempotencyKey}`;
  const result = answered(op);
  const expected = op.completion === 'ok' ? (result && op.kind.startsWith('workflow:') ? outcomeOf(result) : ['succeeded']) : undefined;
  if (expected && !expected.includes(row.outcome)) return `says ${row.outcome}, the client was answered ${expected.join(' or ')}`;
  if (op.completion === 'error' && (row.outcome === 'succeeded' || row.outcome === 'replayed'))
    return `says ${row.outcome}, the client was answered ${op.codes?.join(',')}`;
  if (op.completion === 'error' && row.errorCode && !(op.codes ?? []).includes(row.errorCode))
    return `records error ${row.errorCode}, the client was answered ${op.codes?.join(',')}`;
  if (result) {
    // The row's ids are a jsonb object, which keeps keys in its own order: compared as sets per step.
    const listed = (step: string | undefined, pairs: [string, string][]) =>
      `${step}:${pairs
        .map(([name, value]) => `${name}=${value}`)
        .sort()
        .join(',')}`;
    const answeredIds = result.steps
      .filter((step) => step.upstreamIds.length > 0)
      .map((step) =>
        listed(
          step.name,
          step.upstreamIds.map(({ name, value }) => [name, value]),
        ),
      );
    const audited = row.upstream.map((entry) => listed(entry.step, Object.entries(entry.ids)));
    if (answeredIds.join(' ') !== audited.join(' '))
      return `records upstream ${audited.join(' ')}; the answer gave ${answeredIds.join(' ')}`;
  }
  return null;
}

function outcomeOf(result: AnsweredWorkflow): string[] {
  if (result.replayed) return ['replayed'];
  if (result.status === 'SUCCEEDED') return ['succeeded'];
  if (result.status === 'OUTCOME_UNKNOWN') return ['outcome_unknown'];
  return result.steps.some((step) => step.status === 'COMPENSATED') ? ['compensated'] : ['failed'];
}
