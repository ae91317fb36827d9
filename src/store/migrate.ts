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
    // Facts about the store itself, e.g. the sandbox world a demo store was written against.
    `CREATE TABLE IF NOT EXISTS ${t('store_meta')} (key text PRIMARY KEY, value text NOT NULL)`,
  ];
}

export async function migrate(sql: SqlClient, schema: string): Promise<void> {
  await sql.withLock(MIGRATION_LOCK, async (query) => {
    for (const statement of schemaStatements(schema, sql.dialect)) await query(statement);
  });
}

/**
 * Keys the store to a world (see WriteStoreOptions.world): a store last written against
 * another world is emptied — idempotency records and audit log together — and takes this
 * one. True when it was emptied.
 */
export async function followWorld(sql: SqlClient, schema: string, world: string): Promise<boolean> {
  const t = (name: string) => sql.dialect.table(schema, name);
  return sql.withLock(MIGRATION_LOCK, async (query) => {
    const [row] = await query<{ value: string }>(`SELECT value FROM ${t('store_meta')} WHERE key = 'world'`);
    if (row?.value === world) return false;
    await query(`DELETE FROM ${t('idempotency_keys')}`);
    await query(`DELETE FROM ${t('audit_log')}`);
    await query(`INSERT INTO ${t('store_meta')} (key, value) VALUES ('world', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [
      world,
    ]);
    return row !== undefined;
  });
}
