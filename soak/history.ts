/**
 * The soak's history: one record per operation, from its invocation to its completion, as
 * the clients saw it. The checker judges the run from this and from the systems of record;
 * a failing run writes it to disk so the same seed can be replayed and compared.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** How an operation ended for its client: answered, answered with an error, or never answered (timeout, cut connection). */
export type Completion = 'ok' | 'error' | 'unknown';

export type Replica = 0 | 1;

export interface Operation {
  /** Sequence number in the history (unique, increasing with invocation). */
  id: number;
  client: string;
  replica: Replica;
  /** The workload's name for it: `read:W1`, `write:updateContact`, `workflow:winDeal`, `vendor:edit`, … */
  kind: string;
  /** What it was about: the record it read or wrote, the idempotency key, the value written. */
  subject?: string;
  value?: string;
  idempotencyKey?: string;
  /** The `x-request-id` sent with it, which the audit log and the vendors' logs record. */
  requestId?: string;
  /** A retry of an earlier operation (same idempotency key or same intended effect). */
  retryOf?: number;
  invokedAt: number;
  completedAt?: number;
  completion?: Completion;
  httpStatus?: number;
  /** Every `extensions.code` in the answer, in order. */
  codes?: string[];
  /** What the checker needs from the answer (the value read, the workflow's status and upstream IDs). */
  result?: unknown;
}

export interface NemesisEvent {
  at: number;
  /** What was done: `crm:outage=refuse`, `redis:restart`, `replica1:kill`, … */
  action: string;
  /** When it was undone, where it is a spell rather than a moment. */
  until?: number;
}

export class History {
  readonly operations: Operation[] = [];
  readonly nemesis: NemesisEvent[] = [];
  private next = 1;

  constructor(private readonly file?: string) {
    if (file) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, '');
    }
  }

  invoke(op: Omit<Operation, 'id' | 'invokedAt'>): Operation {
    const record: Operation = { ...op, id: this.next++, invokedAt: Date.now() };
    this.operations.push(record);
    return record;
  }

  complete(op: Operation, completion: Completion, details: Pick<Operation, 'httpStatus' | 'codes' | 'result'> = {}): void {
    Object.assign(op, details, { completion, completedAt: Date.now() });
    this.write({ op });
  }

  fault(action: string, until?: number): NemesisEvent {
    const event: NemesisEvent = { at: Date.now(), action, ...(until === undefined ? {} : { until }) };
    this.nemesis.push(event);
    this.write({ nemesis: event });
    return event;
  }

  private write(line: unknown): void {
    if (this.file) appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}
