/**
 * Durable write state (idempotency records and the audit log) behind one handle. The
 * database is chosen by configuration and opened — and migrated — on first use.
 */
import { join } from 'node:path';
import { createAuditLog, type AuditLog } from './audit.ts';
import { createIdempotencyStore, type IdempotencyStore } from './idempotency.ts';
import { migrate } from './migrate.ts';
import { createPgliteClient, createPostgresClient, type SqlClient } from './sql.ts';

export type { AuditEntry, AuditFilter, AuditLog, AuditOutcome, AuditPage, AuditRecord } from './audit.ts';
export type { Claim, IdempotencyStore } from './idempotency.ts';

export interface WriteStoreOptions {
  /** PostgreSQL URL; unset: embedded PGlite in `<dataDir>/pglite`. */
  databaseUrl?: string;
  dataDir: string;
  schema: string;
  leaseMs: number;
}

export interface WriteStore {
  idempotency: IdempotencyStore;
  audit: AuditLog;
  readonly backend: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export function createWriteStore(options: WriteStoreOptions): WriteStore {
  const client = options.databaseUrl ? createPostgresClient(options.databaseUrl) : createPgliteClient(join(options.dataDir, 'pglite'));
  let ready: Promise<SqlClient> | undefined;
  const sql = () => {
    ready ??= migrate(client, options.schema).then(() => client);
    // A failed open (database down) is retried by the next write rather than remembered.
    ready.catch(() => {
      ready = undefined;
    });
    return ready;
  };
  return {
    idempotency: createIdempotencyStore(sql, options.schema, options.leaseMs),
    audit: createAuditLog(sql, options.schema),
    backend: client.kind,
    close: () => client.close(),
  };
}
