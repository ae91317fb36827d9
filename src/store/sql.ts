/**
 * One SQL dialect for both backends: PostgreSQL through `pg` when DATABASE_URL is set, and
 * PGlite (PostgreSQL compiled to WASM) otherwise, so `npm start` needs no database server.
 *
 * PGlite costs 3–5 s and about 0.9 GB to start, so it is opened lazily, on the first write
 * or audit read, never at startup; its files live under the data directory, so idempotency
 * records and the audit log survive a restart.
 */
import { mkdirSync } from 'node:fs';
import pg from 'pg';

export interface SqlClient {
  query<Row extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * Runs `fn` holding a PostgreSQL advisory lock (per database), so replicas migrating the
   * same schema at once cannot race on `CREATE … IF NOT EXISTS`.
   */
  withLock<T>(lockId: number, fn: (query: SqlClient['query']) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'postgres' | 'pglite';
}

export function createPostgresClient(databaseUrl: string): SqlClient {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 5 });
  // An idle client that loses its connection emits 'error'; without a listener that kills the process.
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    async query(text, params = []) {
      const result = await pool.query(text, params as unknown[]);
      return result.rows;
    },
    async withLock(lockId, fn) {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [lockId]);
        try {
          return await fn(async (text, params = []) => (await client.query(text, params as unknown[])).rows);
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [lockId]);
        }
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** An embedded PostgreSQL in `dataDir`; nothing is loaded until the first query. */
export function createPgliteClient(dataDir: string): SqlClient {
  type PGliteInstance = import('@electric-sql/pglite').PGlite;
  let opening: Promise<PGliteInstance> | undefined;
  const open = () => {
    opening ??= (async () => {
      mkdirSync(dataDir, { recursive: true });
      const { PGlite } = await import('@electric-sql/pglite');
      return PGlite.create(dataDir);
    })();
    opening.catch(() => {
      opening = undefined;
    });
    return opening;
  };
  const query: SqlClient['query'] = async <Row extends object>(text: string, params: readonly unknown[] = []) =>
    (await (await open()).query<Row>(text, params as unknown[])).rows;
  return {
    kind: 'pglite',
    query,
    // One connection, and PGlite runs one query at a time: a lock would add nothing.
    withLock: (_lockId, fn) => fn(query),
    async close() {
      if (!opening) return;
      const db = await opening.catch(() => undefined);
      await db?.close();
    },
  };
}
