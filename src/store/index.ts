/**
 * Durable write state (idempotency records and the audit log) behind one handle. The
 * database is chosen by configuration: PostgreSQL with DATABASE_URL, else the embedded
 * SQLite under `<dataDir>/store` (sqlite.ts). It is opened — and migrated — on first use,
 * or earlier by `open()`.
 */
import { join } from 'node:path';
import { createAuditLog, type AuditLog } from './audit.ts';
import { createIdempotencyStore, type IdempotencyStore } from './idempotency.ts';
import { followWorld, migrate } from './migrate.ts';
import { createPostgresClient, type SqlClient } from './sql.ts';
import { createSqliteClient } from './sqlite.ts';

export type { AuditEntry, AuditFilter, AuditLog, AuditOutcome, AuditPage, AuditRecord } from './audit.ts';
export type { Claim, IdempotencyStore } from './idempotency.ts';

export interface WriteStoreOptions {
  /** PostgreSQL URL; unset: the embedded SQLite in `<dataDir>/store`. */
  databaseUrl?: string;
  dataDir: string;
  schema: string;
  leaseMs: number;
  /**
   * The world the store's records refer to, when that world can vanish: in demo mode, the
   * embedded sandbox's instance, which is seeded afresh at every start. A store written
   * against another world is emptied when it opens, so a replayed key never answers with
   * records that no longer exist. Unset: the store is never emptied.
   */
  world?: string;
  /** Told when opening emptied the store for a new world. */
  onWorldChange?: () => void;
}

export interface WriteStore {
  idempotency: IdempotencyStore;
  audit: AuditLog;
  readonly backend: 'postgres' | 'sqlite';
  /** Opens (and migrates) the database now rather than on the first write; rejects when it cannot. */
  open(): Promise<void>;
  close(): Promise<void>;
}

export function createWriteStore(options: WriteStoreOptions): WriteStore {
  const client = options.databaseUrl ? createPostgresClient(options.databaseUrl) : createSqliteClient(join(options.dataDir, 'store'));
  let ready: Promise<SqlClient> | undefined;
  const sql = () => {
    ready ??= (async () => {
      await migrate(client, options.schema);
      if (options.world !== undefined && (await followWorld(client, options.schema, options.world))) options.onWorldChange?.();
      return client;
    })();
    // A failed open (database down) is retried by the next write rather than remembered.
    ready.catch(() => {
      ready = undefined;
    });
    return ready;
  };
  return {
    idempotency: createIdempotencyStore(sql, options.schema, options.leaseMs, client.dialect),
    audit: createAuditLog(sql, options.schema, client.dialect),
    backend: client.kind,
    open: async () => {
      await sql();
    },
    close: () => client.close(),
  };
}
