/**
 * The connection behind the store: PostgreSQL through `pg` when DATABASE_URL is set, and
 * otherwise the embedded SQLite of sqlite.ts, so `npm start` needs no database server.
 * Statements are written once, with `$1…` parameters and the differences in `dialect`.
 */
import pg from 'pg';
import { POSTGRES, type Dialect } from './dialect.ts';

export interface SqlClient {
  query<Row extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * Runs `fn` holding a PostgreSQL advisory lock (per database), so replicas migrating the
   * same schema at once cannot race on `CREATE … IF NOT EXISTS`.
   */
  withLock<T>(lockId: number, fn: (query: SqlClient['query']) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'postgres' | 'sqlite';
  readonly dialect: Dialect;
}

export function createPostgresClient(databaseUrl: string): SqlClient {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 5 });
  // An idle client that loses its connection emits 'error'; without a listener that kills the process.
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    dialect: POSTGRES,
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
