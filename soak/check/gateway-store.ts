/**
 * The gateway's own durable records in the soak's PostgreSQL schema: each idempotency key's
 * row (status, the steps as last saved, the stored answer) and the audit log.
 */
import type { StepRecord, WorkflowResult } from '../../src/workflows/definition.ts';
import { unstored } from '../../src/workflows/claims.ts';
import { withDatabase } from '../database.ts';

export interface KeyRow {
  key: string;
  operation: string;
  status: 'running' | 'succeeded' | 'failed' | 'unknown';
  leaseUntil: Date | null;
  /** When the row last changed: for a finished key, when its run ended. */
  updatedAt: Date;
  /** The steps as the run last saved them (empty when it never got to save any). */
  steps: StepRecord[];
  /** The stored first answer of a finished key. */
  result: WorkflowResult | null;
}

export interface AuditRow {
  id: number;
  requestId: string | null;
  operation: string;
  idempotencyKey: string | null;
  outcome: string;
  errorCode: string | null;
  upstream: { system: string; step?: string; ids: Record<string, string> }[];
}

export interface GatewayStore {
  /** Client keys only: a subject's claim (`#subject/…`) is the engine's, not a key a client sent. */
  keys: Map<string, KeyRow>;
  audit: AuditRow[];
}

export async function readGatewayStore(schema: string): Promise<GatewayStore> {
  return withDatabase(async (client) => {
    const keyRows = await client.query<{
      key: string;
      operation: string;
      status: KeyRow['status'];
      lease_until: Date | null;
      updated_at: Date;
      state: unknown;
      result: unknown;
    }>(`SELECT key, operation, status, lease_until, updated_at, state, result FROM "${schema}".idempotency_keys WHERE key NOT LIKE '#%'`);
    const keys = new Map<string, KeyRow>();
    for (const row of keyRows.rows) {
      const state = unstored<{ steps?: StepRecord[] } | null>(row.state);
      keys.set(row.key, {
        key: row.key,
        operation: row.operation,
        status: row.status,
        leaseUntil: row.lease_until,
        updatedAt: row.updated_at,
        steps: state?.steps ?? [],
        result: row.result === null ? null : unstored<WorkflowResult>(row.result),
      });
    }
    const auditRows = await client.query<{
      id: string;
      request_id: string | null;
      operation: string;
      idempotency_key: string | null;
      outcome: string;
      error_code: string | null;
      upstream: AuditRow['upstream'];
    }>(`SELECT id, request_id, operation, idempotency_key, outcome, error_code, upstream FROM "${schema}".audit_log ORDER BY id`);
    const audit = auditRows.rows.map((row) => ({
      id: Number(row.id),
      requestId: row.request_id,
      operation: row.operation,
      idempotencyKey: row.idempotency_key,
      outcome: row.outcome,
      errorCode: row.error_code,
      upstream: row.upstream,
    }));
    return { keys, audit };
  });
}

/** Keys whose run is in progress under a live lease, now. */
export async function runningKeys(schema: string): Promise<number> {
  return withDatabase(async (client) => {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM "${schema}".idempotency_keys WHERE status = 'running' AND lease_until > now()`,
    );
    return Number(rows[0].n);
  });
}
