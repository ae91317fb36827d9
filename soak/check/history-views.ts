/** The history as the write checks read it: attempts grouped by the effect they intend, workflow answers. */
import type { History, Operation } from '../history.ts';

/** One intended effect and every attempt the client made at it (the first, then its retries with the same value or key). */
export interface Chain {
  first: Operation;
  attempts: Operation[];
}

export function chains(history: History, kind: string): Chain[] {
  const byFirst = new Map<number, Chain>();
  for (const op of history.operations) {
    if (op.kind !== kind) continue;
    const firstId = op.retryOf ?? op.id;
    const chain = byFirst.get(firstId);
    if (chain) chain.attempts.push(op);
    else byFirst.set(firstId, { first: op, attempts: [op] });
  }
  return [...byFirst.values()];
}

/** Every attempt was answered with an error: the effect must have left no trace. */
export const refused = (chain: Chain) => chain.attempts.every((op) => op.completion === 'error');

/** Some attempt was answered as done. */
export const acknowledged = (chain: Chain) => chain.attempts.some((op) => op.completion === 'ok');

/** Attempts that may have written: answered as done, or never answered. */
export const mayHaveWritten = (chain: Chain) => chain.attempts.filter((op) => op.completion === 'ok' || op.completion === 'unknown');

export const ids = (ops: readonly Operation[]) => ops.map((op) => op.id);

/** When the run's first operation was sent: anything a vendor holds from before is seed data. */
export function runStart(history: History): number {
  return history.operations.reduce((min, op) => Math.min(min, op.invokedAt), Number.POSITIVE_INFINITY);
}

export interface AnsweredStep {
  name: string;
  system: string;
  status: string;
  compensation: string | null;
  upstreamIds: { name: string; value: string }[];
  error: { code: string; message: string } | null;
}

/** A `WorkflowResult` as the soak's clients select it (operations.ts). */
export interface AnsweredWorkflow {
  status: 'SUCCEEDED' | 'FAILED' | 'OUTCOME_UNKNOWN';
  replayed: boolean;
  error: { code: string; message: string; step: string | null } | null;
  warnings: { code: string; message: string; step: string | null }[];
  steps: AnsweredStep[];
}

/** The workflow's answer, when the client got one as data (not as a GraphQL error). */
export function answered(op: Operation): AnsweredWorkflow | undefined {
  if (!op.kind.startsWith('workflow:') || op.completion !== 'ok' || op.result === null || typeof op.result !== 'object') return undefined;
  return op.result as AnsweredWorkflow;
}

/** Workflow attempts by idempotency key, in invocation order. */
export function workflowKeys(history: History): Map<string, Operation[]> {
  const keys = new Map<string, Operation[]>();
  for (const op of history.operations) {
    if (!op.kind.startsWith('workflow:') || !op.idempotencyKey) continue;
    const list = keys.get(op.idempotencyKey);
    if (list) list.push(op);
    else keys.set(op.idempotencyKey, [op]);
  }
  return keys;
}

/** The operation name the gateway records for a history kind (`write:updateContact` → `updateContact`). */
export const operationOf = (op: Operation) => op.kind.slice(op.kind.indexOf(':') + 1);

export const isWrite = (op: Operation) => op.kind.startsWith('write:') || op.kind.startsWith('workflow:');
