/**
 * Idempotency records: one row per key, claimed atomically, so two requests with one key
 * never both execute — on one replica or many, and across restarts.
 *
 * A key moves `running` → `succeeded` | `failed` (final: replays return the stored
 * outcome) or → `unknown` (a step's outcome could not be learned; the next request with
 * the key takes the record over and settles it). A `running` record whose lease has run
 * out belongs to a replica that died mid-write and is taken over the same way. While a
 * write runs, its progress (`state`) is saved after every step, so a takeover resumes
 * instead of starting again.
 */
import { randomUUID } from 'node:crypto';
import type { Dialect } from './dialect.ts';
import type { SqlClient } from './sql.ts';

export type KeyStatus = 'running' | 'succeeded' | 'failed' | 'unknown';

export type Claim<S, R> =
  /** This request owns the key: run (or resume from `state`). */
  | { kind: 'owned'; owner: string; state: S | null; resumed: boolean }
  /** The write finished before: replay its outcome. */
  | { kind: 'finished'; status: 'succeeded' | 'failed'; result: R }
  /** Another request is running the write right now. */
  | { kind: 'busy' }
  /** The key was first used for a different operation or different inputs. */
  | { kind: 'mismatch'; operation: string };

interface KeyRow {
  operation: string;
  request_hash: string;
  status: KeyStatus;
  state: unknown;
  result: unknown;
}

export interface IdempotencyStore {
  claim<S, R>(key: string, operation: string, requestHash: string): Promise<Claim<S, R>>;
  /** Saves progress and renews the lease; false when this owner lost the key (lease expired and taken over). */
  progress<S>(key: string, owner: string, state: S): Promise<boolean>;
  /** Settles the key; false when this owner no longer holds it (its lease ran out and another request took it). */
  finish<S, R>(key: string, owner: string, status: Exclude<KeyStatus, 'running'>, state: S, result: R | null): Promise<boolean>;
}

export function createIdempotencyStore(sql: () => Promise<SqlClient>, schema: string, leaseMs: number, dialect: Dialect): IdempotencyStore {
  const table = dialect.table(schema, 'idempotency_keys');
  const { now, json } = dialect;
  const read = <S, R>(row: KeyRow) => ({
    ...row,
    state: dialect.readJson(row.state) as S | null,
    result: dialect.readJson(row.result) as R,
  });

  return {
    async claim<S, R>(key: string, operation: string, requestHash: string): Promise<Claim<S, R>> {
      const db = await sql();
      const owner = randomUUID();
      const inserted = await db.query(
        `INSERT INTO ${table} (key, operation, request_hash, status, owner, lease_until, created_at, updated_at)
         VALUES ($1, $2, $3, 'running', $4, ${dialect.later('$5')}, ${now}, ${now}) ON CONFLICT (key) DO NOTHING RETURNING key`,
        [key, operation, requestHash, owner, leaseMs],
      );
      if (inserted.length === 1) return { kind: 'owned', owner, state: null, resumed: false };

      const [taken] = await db.query<KeyRow>(
        `UPDATE ${table} SET status = 'running', owner = $4, lease_until = ${dialect.later('$5')}, updated_at = ${now}
         WHERE key = $1 AND operation = $2 AND request_hash = $3
           AND (status = 'unknown' OR (status = 'running' AND lease_until < ${now}))
         RETURNING operation, request_hash, status, state, result`,
        [key, operation, requestHash, owner, leaseMs],
      );
      if (taken) return { kind: 'owned', owner, state: read<S, R>(taken).state ?? null, resumed: true };

      const [found] = await db.query<KeyRow>(`SELECT operation, request_hash, status, state, result FROM ${table} WHERE key = $1`, [key]);
      // Deleted between the statements (an operator purge): claim it afresh.
      if (!found) return this.claim(key, operation, requestHash);
      const row = read<S, R>(found);
      if (row.operation !== operation || row.request_hash !== requestHash) return { kind: 'mismatch', operation: row.operation };
      if (row.status === 'succeeded' || row.status === 'failed') return { kind: 'finished', status: row.status, result: row.result };
      return { kind: 'busy' };
    },

    async progress(key, owner, state) {
      const db = await sql();
      const rows = await db.query(
        `UPDATE ${table} SET state = ${json('$3')}, lease_until = ${dialect.later('$4')}, updated_at = ${now} WHERE key = $1 AND owner = $2 RETURNING key`,
        [key, owner, JSON.stringify(state), leaseMs],
      );
      return rows.length === 1;
    },

    async finish(key, owner, status, state, result) {
      const db = await sql();
      const rows = await db.query(
        `UPDATE ${table} SET status = $3, state = ${json('$4')}, result = ${json('$5')}, lease_until = NULL, updated_at = ${now}
         WHERE key = $1 AND owner = $2 RETURNING key`,
        [key, owner, status, JSON.stringify(state), result === null ? null : JSON.stringify(result)],
      );
      return rows.length === 1;
    },
  };
}
