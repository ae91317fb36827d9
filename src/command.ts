/**
 * What every system's domain commands share: input checked with zod (a refusal names each
 * bad field, and nothing is sent), and the shape of a write's answer. It knows no vendor and
 * no GraphQL, so the systems' commands, the workflows and the resolvers all build on it.
 */
import type { z } from 'zod';
import type { ChangeSpec } from './changes/types.ts';
import { GatewayError, type SystemName } from './errors.ts';

/** Parses `input` or throws BAD_USER_INPUT naming every bad field (`extensions.fields`). */
export function validate<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.') || '(input)';
    fields[path] ??= issue.message;
  }
  const names = Object.keys(fields);
  throw new GatewayError('BAD_USER_INPUT', `Invalid input: ${names.join(', ')}`, { fields });
}

/** What a write did: its answer, the upstream ids for the audit record, and the changes to publish. */
export interface CommandResult<T> {
  value: T;
  /** Upstream ids the write produced or touched, for the audit record. */
  upstream: readonly { system: SystemName; ids: Record<string, unknown> }[];
  changes: readonly ChangeSpec[];
}

/**
 * A write bound to its connector and input, not yet sent. `run` validates first (a refused
 * input sends nothing), so the caller's audit frame records refusals too.
 */
export interface Command<T> {
  run(): Promise<CommandResult<T>>;
  /**
   * What the write could have changed, as far as is known at the moment it is asked (before
   * the write, or part-way through it): evicted from the caches when its outcome is unknown.
   */
  affects(): readonly ChangeSpec[];
}
