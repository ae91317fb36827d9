/**
 * The embedded store: SQLite compiled to WebAssembly (sql.js; no native build, nothing to
 * install), with the database held in memory and made durable by files in `dir`:
 *
 * - `snapshot-<n>.sqlite`: the whole database as of generation n;
 * - `journal-<n>.ndjson`: every statement that changed it since, one JSON line each,
 *   written synchronously before the statement's caller hears of it, so a restart or a
 *   crash of the process loses nothing that was answered.
 *
 * Opening loads the newest snapshot and replays its journal. Statements read the clock
 * only through `sb_now()`/`sb_later()`, defined here from the time recorded with each
 * journal line, so a replay takes the same branches as the original run (a lease that had
 * not expired then has not expired in the replay). When the journal passes
 * COMPACT_AT_BYTES, and on close, the database is written as the next generation's
 * snapshot (temp file, fsync, rename) and the old files are removed; a crash at any point
 * leaves either the old generation or the new one complete.
 *
 * One process owns a directory at a time (a lock file holds its pid): the database lives
 * in that process's memory. Several replicas need PostgreSQL.
 *
 * Measured against PGlite, the embedded default before it (bench/embedded-store.ts): opens
 * in tens of milliseconds instead of seconds, and adds tens of MB to the process instead
 * of 300–650 MB.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Database, SqlValue } from 'sql.js';
import { SQLITE } from './dialect.ts';
import type { SqlClient } from './sql.ts';

const COMPACT_AT_BYTES = 4 * 2 ** 20;
const MODIFIES = /^\s*(insert|update|delete|replace|create|drop|alter)\b/i;
const DDL = /^\s*(create|drop|alter)\b/i;

interface JournalLine {
  /** The clock (epoch ms) the statement ran at. */
  t: number;
  q: string;
  p: SqlValue[];
}

/** Directories opened by this process: a second store on one directory would fork its state. */
const openHere = new Set<string>();

export function createSqliteClient(dir: string): SqlClient {
  let opening: Promise<Embedded> | undefined;
  const open = () => {
    opening ??= Embedded.open(dir);
    opening.catch(() => {
      opening = undefined;
    });
    return opening;
  };
  const query: SqlClient['query'] = async <Row extends object>(text: string, params: readonly unknown[] = []) =>
    (await open()).query<Row>(text, params);
  return {
    kind: 'sqlite',
    dialect: SQLITE,
    query,
    // One connection in this process, and each statement runs to completion synchronously.
    withLock: (_lockId, fn) => fn(query),
    async close() {
      if (!opening) return;
      const db = await opening.catch(() => undefined);
      opening = undefined;
      db?.close();
    },
  };
}

class Embedded {
  private clock = 0;
  private journalBytes = 0;
  private journal: number;

  private constructor(
    private readonly dir: string,
    private db: Database,
    private generation: number,
  ) {
    this.journalBytes = this.replay();
    this.journal = openSync(this.path('journal'), 'a');
  }

  static async open(dir: string): Promise<Embedded> {
    mkdirSync(dir, { recursive: true });
    lock(dir);
    try {
      const { default: initSqlJs } = await import('sql.js');
      const SQL = await initSqlJs();
      const generations = readdirSync(dir)
        .map((name) => /^snapshot-(\d+)\.sqlite$/.exec(name)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number);
      const generation = generations.length > 0 ? Math.max(...generations) : 0;
      const snapshot = join(dir, `snapshot-${generation}.sqlite`);
      const db = existsSync(snapshot) ? new SQL.Database(readFileSync(snapshot)) : new SQL.Database();
      const store = new Embedded(dir, db, generation);
      store.removeOtherGenerations();
      return store;
    } catch (error) {
      unlock(dir);
      throw error;
    }
  }

  async query<Row extends object>(text: string, params: readonly unknown[]): Promise<Row[]> {
    const sql = text.replace(/\$(\d+)/g, '?$1');
    const values = params.map(toSqlValue);
    const now = Date.now();
    const rows = this.run<Row>(sql, values, now);
    if (MODIFIES.test(sql) && (DDL.test(sql) || this.db.getRowsModified() > 0)) this.append({ t: now, q: sql, p: values });
    return rows;
  }

  close(): void {
    try {
      if (this.journalBytes > 0) this.compact();
    } finally {
      closeSync(this.journal);
      this.db.close();
      unlock(this.dir);
    }
  }

  private run<Row>(sql: string, values: SqlValue[], now: number): Row[] {
    this.clock = now;
    const statement = this.db.prepare(sql);
    try {
      statement.bind(values);
      const rows: Row[] = [];
      while (statement.step()) rows.push(statement.getAsObject() as Row);
      return rows;
    } finally {
      statement.free();
    }
  }

  private append(line: JournalLine): void {
    const text = `${JSON.stringify(line)}\n`;
    writeSync(this.journal, text);
    this.journalBytes += Buffer.byteLength(text);
    if (this.journalBytes >= COMPACT_AT_BYTES) this.compact();
  }

  /** Replays the journal onto the snapshot; returns the journal's length, without a torn last line. */
  private replay(): number {
    this.defineClock();
    const path = this.path('journal');
    if (!existsSync(path)) return 0;
    const lines = readFileSync(path, 'utf8').split('\n');
    let good = 0;
    for (const [index, text] of lines.entries()) {
      let line: JournalLine | undefined;
      try {
        line = text ? (JSON.parse(text) as JournalLine) : undefined;
      } catch (error) {
        // Only the last line can be torn (the process died while writing it, before anyone
        // was answered): cut it off, or the next line appended would join it.
        if (index < lines.length - 2 || (index === lines.length - 2 && lines[index + 1] !== '')) {
          throw new Error(`the embedded store's journal ${path} is damaged at line ${index + 1}`, { cause: error });
        }
        truncateSync(path, good);
        return good;
      }
      if (line) this.run(line.q, line.p, line.t);
      if (index < lines.length - 1) good += Buffer.byteLength(text) + 1;
    }
    return good;
  }

  /** Writes the database as the next generation's snapshot and starts its empty journal. */
  private compact(): void {
    const data = this.db.export();
    // sql.js reopens the database to export it, which drops the functions defined on it.
    this.defineClock();
    const next = this.generation + 1;
    const target = join(this.dir, `snapshot-${next}.sqlite`);
    const temp = `${target}.tmp`;
    writeFileSync(temp, data);
    const fd = openSync(temp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    closeSync(this.journal);
    this.generation = next;
    this.journal = openSync(this.path('journal'), 'a');
    this.journalBytes = 0;
    this.removeOtherGenerations();
  }

  private defineClock(): void {
    this.db.create_function('sb_now', () => new Date(this.clock).toISOString());
    this.db.create_function('sb_later', (ms: number) => new Date(this.clock + Number(ms)).toISOString());
  }

  private removeOtherGenerations(): void {
    for (const name of readdirSync(this.dir)) {
      const match = /^(snapshot|journal)-(\d+)\.(sqlite|ndjson)(\.tmp)?$/.exec(name);
      if (match && (Number(match[2]) !== this.generation || match[4])) rmSync(join(this.dir, name), { force: true });
    }
  }

  private path(kind: 'journal'): string {
    return join(this.dir, `${kind}-${this.generation}.ndjson`);
  }
}

function toSqlValue(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'string' || value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

function lock(dir: string): void {
  if (openHere.has(dir)) throw new Error(`the embedded store in ${dir} is already open in this process`);
  const file = join(dir, 'lock');
  try {
    const holder = Number(readFileSync(file, 'utf8'));
    if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
      throw new Error(
        `the embedded store in ${dir} is in use by process ${holder}: run one process per data directory, or set DATABASE_URL`,
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeFileSync(file, String(process.pid));
  openHere.add(dir);
}

function unlock(dir: string): void {
  openHere.delete(dir);
  try {
    if (Number(readFileSync(join(dir, 'lock'), 'utf8')) === process.pid) unlinkSync(join(dir, 'lock'));
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
