/**
 * What a cross-system write is made of, as the engine (engine.ts) runs it and the workflows
 * (win-deal.ts, onboard-customer.ts) define it: steps, their records, and the run's result.
 */
import type { ChangeSpec } from '../changes/types.ts';
import type { GatewayContext } from '../context.ts';
import type { SystemName } from '../errors.ts';

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

/** A step's compensation while its undo is under way: saved before the undo is sent, its effect may be there or gone. */
export const UNDO_BEGUN = 'Undo begun';
