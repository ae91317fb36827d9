/**
 * The durable write state's tables. Statements are plain PostgreSQL 15 (the oldest server
 * supported; PGlite is 18) and idempotent, so every replica runs them at start of use.
 */
import type { SqlClient } from './sql.ts';

/** Arbitrary but fixed: the advisory lock id replicas take while migrating. */
const MIGRATION_LOCK = 7_404_121;

export function schemaStatements(schema: string): string[] {
  const s = `"${schema}"`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.idempotency_keys (
      key text PRIMARY KEY,
      operation text NOT NULL,
      request_hash text NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'unknown')),
      owner text,
      lease_until timestamptz,
      state jsonb NOT NULL DEFAULT '{}'::jsonb,
      result jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE IF NOT EXISTS ${s}.audit_log (
      id bigserial PRIMARY KEY,
      started_at timestamptz NOT NULL,
      finished_at timestamptz NOT NULL,
      principal text NOT NULL,
      operation text NOT NULL,
      idempotency_key text,
      request_id text,
      inputs jsonb NOT NULL,
      upstream jsonb NOT NULL,
      outcome text NOT NULL,
      error_code text,
      result jsonb
    )`,
    `CREATE INDEX IF NOT EXISTS audit_log_operation_idx ON ${s}.audit_log (operation, id)`,
    `CREATE INDEX IF NOT EXISTS audit_log_principal_idx ON ${s}.audit_log (principal, id)`,
  ];
}

export async function migrate(sql: SqlClient, schema: string): Promise<void> {
  await sql.withLock(MIGRATION_LOCK, async (query) => {
    for (const statement of schemaStatements(schema)) await query(statement);
  });
}
