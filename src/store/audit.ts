/**
 * The append-only audit log of writes: who (principal), what (operation, inputs with
 * secrets redacted), where (upstream ids and the request id sent upstream as
 * `x-request-id`), how it ended, and when. Rows are only ever inserted.
 */
import type { Dialect } from './dialect.ts';
import type { SqlClient } from './sql.ts';

export type AuditOutcome = 'succeeded' | 'failed' | 'compensated' | 'outcome_unknown' | 'replayed' | 'rejected';

export interface AuditEntry {
  startedAt: Date;
  finishedAt: Date;
  principal: string;
  operation: string;
  idempotencyKey?: string | null;
  requestId?: string | null;
  inputs: unknown;
  /** Upstream request/record ids per system, e.g. `[{ system: 'billing', ids: { invoiceId: 'in_…' } }]`. */
  upstream: readonly unknown[];
  outcome: AuditOutcome;
  errorCode?: string | null;
  result?: unknown;
}

export interface AuditRecord extends AuditEntry {
  id: string;
}

export interface AuditFilter {
  operation?: string;
  principal?: string;
  outcome?: AuditOutcome;
  idempotencyKey?: string;
  /** Inclusive lower bound on `startedAt`. */
  since?: Date;
}

export interface AuditPage {
  records: AuditRecord[];
  hasNextPage: boolean;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first; `after` is the id of the last record of the previous page. */
  list(options: { first: number; after?: string; filter?: AuditFilter }): Promise<AuditPage>;
}

const SECRET_KEY = /(secret|token|password|passwd|api[-_]?key|authorization|cookie|card|cvc|cvv|iban|account[-_]?number|ssn)/i;

/** Replaces the values of secret-looking keys, at any depth, with "[REDACTED]". */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, SECRET_KEY.test(key) ? '[REDACTED]' : redact(child)]));
}

const toArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

interface AuditRow {
  /** bigint: `pg` hands it over as a string. */
  id: string | number;
  started_at: Date | string;
  finished_at: Date | string;
  principal: string;
  operation: string;
  idempotency_key: string | null;
  request_id: string | null;
  inputs: unknown;
  upstream: unknown;
  outcome: AuditOutcome;
  error_code: string | null;
  result: unknown;
}

export function createAuditLog(sql: () => Promise<SqlClient>, schema: string, dialect: Dialect): AuditLog {
  const table = dialect.table(schema, 'audit_log');
  const { json } = dialect;
  return {
    async append(entry) {
      const db = await sql();
      await db.query(
        `INSERT INTO ${table} (started_at, finished_at, principal, operation, idempotency_key, request_id, inputs, upstream, outcome, error_code, result)
         VALUES ($1, $2, $3, $4, $5, $6, ${json('$7')}, ${json('$8')}, $9, $10, ${json('$11')})`,
        [
          entry.startedAt.toISOString(),
          entry.finishedAt.toISOString(),
          entry.principal,
          entry.operation,
          entry.idempotencyKey ?? null,
          entry.requestId ?? null,
          JSON.stringify(redact(entry.inputs) ?? null),
          JSON.stringify(entry.upstream),
          entry.outcome,
          entry.errorCode ?? null,
          entry.result === undefined ? null : JSON.stringify(redact(entry.result)),
        ],
      );
    },

    // Ordered by the numeric id itself: an id selected as text and sorted under the same
    // name sorts 10 before 9, and the `id < after` cursor then skips rows.
    async list({ first, after, filter = {} }) {
      const db = await sql();
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => {
        params.push(value);
        where.push(clause.replace('?', `$${params.length}`));
      };
      if (after !== undefined) add(`id < ${dialect.bigint('?')}`, after);
      if (filter.operation) add('operation = ?', filter.operation);
      if (filter.principal) add('principal = ?', filter.principal);
      if (filter.outcome) add('outcome = ?', filter.outcome);
      if (filter.idempotencyKey) add('idempotency_key = ?', filter.idempotencyKey);
      if (filter.since) add(`started_at >= ${dialect.timestamp('?')}`, filter.since.toISOString());
      params.push(first + 1);
      const rows = await db.query<AuditRow>(
        `SELECT id, started_at, finished_at, principal, operation, idempotency_key, request_id, inputs, upstream, outcome, error_code, result
         FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${table}.id DESC LIMIT $${params.length}`,
        params,
      );
      return {
        hasNextPage: rows.length > first,
        records: rows.slice(0, first).map((row) => ({
          id: String(row.id),
          startedAt: new Date(row.started_at),
          finishedAt: new Date(row.finished_at),
          principal: row.principal,
          operation: row.operation,
          idempotencyKey: row.idempotency_key,
          requestId: row.request_id,
          inputs: dialect.readJson(row.inputs),
          upstream: toArray(dialect.readJson(row.upstream)),
          outcome: row.outcome,
          errorCode: row.error_code,
          result: dialect.readJson(row.result),
        })),
      };
    },
  };
}
