/**
 * The durable write state's tables. Statements are idempotent, so every replica runs them
 * at start of use. PostgreSQL: plain PostgreSQL 15 (the oldest server supported). The
 * embedded SQLite: the same tables and columns, with timestamps as ISO-8601 text and JSON
 * as text (see dialect.ts).
 */
import type { Dialect } from './dialect.ts';
import type { SqlClient } from './sql.ts';

/** Arbitrary but fixed: the advisory lock id replicas take while migrating. */
const MIGRATION_LOCK = 7_404_121;

export function schemaStatements(schema: string, dialect: Dialect): string[] {
  const t = (name: string) => dialect.table(schema, name);
  const pg = dialect.kind === 'postgres';
  const timestamp = pg ? 'timestamptz' : 'text';
  const json = pg ? 'jsonb' : 'text';
  const now = pg ? 'now()' : "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
  return [
    ...(pg ? [`CREATE SCHEMA IF NOT EXISTS "${schema}"`] : []),
    `CREATE TABLE IF NOT EXISTS ${t('idempotency_keys')} (
      key text PRIMARY KEY,
      operation text NOT NULL,
      request_hash text NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'unknown')),
      owner text,
      lease_until ${timestamp},
      state ${json} NOT NULL DEFAULT '{}'${pg ? '::jsonb' : ''},
      result ${json},
      created_at ${timestamp} NOT NULL DEFAULT ${now},
      updated_at ${timestamp} NOT NULL DEFAULT ${now}
    )`,
    `CREATE TABLE IF NOT EXISTS ${t('audit_log')} (
      id ${pg ? 'bigserial PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT'},
      started_at ${timestamp} NOT NULL,
      finished_at ${timestamp} NOT NULL,
      principal text NOT NULL,
      operation text NOT NULL,
      idempotency_key text,
      request_id text,
      inputs ${json} NOT NULL,
      upstream ${json} NOT NULL,
      outcome text NOT NULL,
      error_code text,
      result ${json}
    )`,
    `CREATE INDEX IF NOT EXISTS audit_log_operation_idx ON ${t('audit_log')} (operation, id)`,
    `CREATE INDEX IF NOT EXISTS audit_log_principal_idx ON ${t('audit_log')} (principal, id)`,
  ];
}

export async function migrate(sql: SqlClient, schema: string): Promise<void> {
  await sql.withLock(MIGRATION_LOCK, async (query) => {
    for (const statement of schemaStatements(schema, sql.dialect)) await query(statement);
  });
}
