/**
 * What the write path needs beyond loaders: request-scoped connectors (writes never go
 * through the read cache) and the durable write state.
 */
import type { BillingConnector } from '../systems/billing/index.ts';
import type { ChatConnector } from '../systems/chat/index.ts';
import type { CrmConnector } from '../systems/crm/index.ts';
import type { SystemName } from '../errors.ts';
import type { AuditOutcome, WriteStore } from '../store/index.ts';

export interface Connectors {
  crm: CrmConnector;
  billing: BillingConnector;
  chat: ChatConnector;
}

/** A step of a cross-system write about to run or just ended (for logs, metrics and fault-injection tests). */
export interface StepEvent {
  workflow: string;
  step: string;
  phase: 'start' | 'end';
  status?: string;
}

export type StepObserver = (event: StepEvent) => void | Promise<void>;

export interface WriteRuntime {
  store: WriteStore;
  /** How long a request waits for a running write with its idempotency key. */
  waitMs: number;
  observer?: StepObserver;
  /** Told of each run that ended (not replays): the health model counts outcomes and alerts on OUTCOME_UNKNOWN. */
  onSettled?: (result: SettledWrite, outcome: AuditOutcome) => void;
}

/** What `onSettled` reads of a run's WorkflowResult (./definition.ts, which this file must not import: a type cycle). */
export interface SettledWrite {
  operation: string;
  steps: readonly { name: string; system: SystemName; status: string }[];
  error: { code: string; step?: string | null } | null;
}
