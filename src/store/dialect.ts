/**
 * The few places where the store's SQL differs between PostgreSQL and the embedded SQLite:
 * names (SQLite has no schemas), the clock, casts, and JSON columns (jsonb in PostgreSQL,
 * text in SQLite). Statements are written once with these and `$1…` parameters.
 */
export interface Dialect {
  readonly kind: 'postgres' | 'sqlite';
  /** A table's name, qualified by the schema where the engine has schemas. */
  table(schema: string, name: string): string;
  /** The current time as the engine stores timestamps. */
  readonly now: string;
  /** The current time plus `param` milliseconds. */
  later(param: string): string;
  json(param: string): string;
  bigint(param: string): string;
  timestamp(param: string): string;
  /** A JSON column's value as read: PostgreSQL parses jsonb itself, SQLite hands back the text. */
  readJson(value: unknown): unknown;
}

export const POSTGRES: Dialect = {
  kind: 'postgres',
  table: (schema, name) => `"${schema}".${name}`,
  now: 'now()',
  later: (param) => `now() + (${param} * interval '1 millisecond')`,
  json: (param) => `${param}::jsonb`,
  bigint: (param) => `${param}::bigint`,
  timestamp: (param) => `${param}::timestamptz`,
  readJson: (value) => value,
};

/**
 * Timestamps are ISO-8601 text in UTC (`toISOString()`), which sorts and compares as time.
 * `sb_now()` and `sb_later(ms)` are functions the embedded client defines: its clock is
 * the application's, so that replaying its journal gives the same answers (see sqlite.ts).
 */
export const SQLITE: Dialect = {
  kind: 'sqlite',
  table: (_schema, name) => name,
  now: 'sb_now()',
  later: (param) => `sb_later(${param})`,
  json: (param) => param,
  bigint: (param) => `CAST(${param} AS INTEGER)`,
  timestamp: (param) => param,
  readJson: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
};
