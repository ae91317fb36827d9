/**
 * What must hold for every generated operation, healthy or not:
 * - no INTERNAL_SERVER_ERROR, and every error carries a documented `extensions.code`;
 * - every error has a `path` that exists in the response: it resolves in `data` up to its
 *   last segment, with null at the failing field (list indexes included);
 * - an error's `service` is a system the field at its path depends on;
 * - with every system healthy there is no upstream error at all;
 * - with one system failing, every field that does not depend on that system (no field on
 *   its path is answered by it) has exactly the value the healthy gateway answers, and new
 *   errors sit only at fields that depend on it, with the code its failure maps to;
 * - a field that is null where the healthy answer has a value has an error at or below it.
 * The healthy answer comes from a second gateway over a second sandbox seeded with the same
 * world, so "where the vendor has the data" means exactly what the vendor answers when well.
 */
import { ERROR_CODES, type ErrorCode } from '../../../src/errors.ts';
import type { SystemName } from '@switchboard/sandbox';
import type { GraphQLResponse } from '../stack.ts';
import { type FieldSelection, type Operation, responseKey } from './operation.ts';
import type { FieldSystems } from './systems.ts';

export type Knob = 'none' | 'refuse' | '500' | 'corrupt' | 'hang';
export type Path = readonly (string | number)[];
export type GraphQLErrorJson = NonNullable<GraphQLResponse['errors']>[number];

export interface Violation {
  /** The class of violation: findings are grouped by it. */
  kind: string;
  message: string;
  path?: Path;
}

/**
 * The codes a failing system's fields may get, per chaos knob. Timeouts count against the
 * breaker, so under a hang an open breaker answers UPSTREAM_UNAVAILABLE at once, as documented.
 */
export const EXPECTED_CODES: Record<Exclude<Knob, 'none'>, readonly ErrorCode[]> = {
  refuse: ['UPSTREAM_UNAVAILABLE'],
  '500': ['UPSTREAM_UNAVAILABLE'],
  corrupt: ['UPSTREAM_BAD_RESPONSE'],
  hang: ['UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE'],
};

/** Codes that only an upstream failure (or the gateway's own overload) can explain. */
const UPSTREAM_CODES = new Set<string>([
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BAD_RESPONSE',
  'UPSTREAM_AUTH_FAILED',
  'RATE_LIMITED',
  'OVERLOADED',
  'WRITE_OUTCOME_UNKNOWN',
]);

/** graphql-armor's rejections (depth, aliases, tokens, directives, cost): a documented outcome for any document. */
const LIMIT_MESSAGE = /(depth|aliases|token|directives|cost)/i;

export function isLimitRejection(response: GraphQLResponse): boolean {
  return (
    response.data === undefined &&
    (response.errors ?? []).length > 0 &&
    (response.errors ?? []).every((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && LIMIT_MESSAGE.test(e.message))
  );
}

export const pathText = (path: Path | undefined): string => (path ? path.join('.') : '(no path)');

/** Systems the value at `path` depends on: the systems answering each field on the way there. */
export function dependencies(op: Operation, path: Path, systems: FieldSystems): Set<SystemName> | undefined {
  const deps = new Set<SystemName>();
  let level: readonly FieldSelection[] | undefined = op.selections;
  let parentSystem: SystemName | undefined;
  for (const segment of path) {
    if (typeof segment === 'number') continue;
    const selection: FieldSelection | undefined = level?.find((s) => responseKey(s) === segment);
    if (!selection) return undefined;
    parentSystem = systems.systemOf(selection.parentType, selection.name, parentSystem);
    if (parentSystem) deps.add(parentSystem);
    level = selection.selections;
  }
  return deps;
}

/** Invariants of one response on its own. `healthy`: no system was failing. */
export function checkResponse(op: Operation, response: GraphQLResponse, healthy: boolean, systems: FieldSystems): Violation[] {
  const violations: Violation[] = [];
  if (isLimitRejection(response)) return violations;
  if (response.status !== 200) {
    violations.push({ kind: 'http-status', message: `HTTP ${response.status}: ${JSON.stringify(response.errors ?? null).slice(0, 300)}` });
  }
  for (const error of response.errors ?? []) {
    const code = error.extensions?.code as string | undefined;
    const where = `${code ?? 'no code'} "${error.message}" at ${pathText(error.path)}`;
    if (code === undefined) violations.push({ kind: 'missing-code', message: where, path: error.path });
    else if (code === 'INTERNAL_SERVER_ERROR') violations.push({ kind: 'INTERNAL_SERVER_ERROR', message: where, path: error.path });
    else if (!Object.hasOwn(ERROR_CODES, code)) violations.push({ kind: 'undocumented-code', message: where, path: error.path });
    if (healthy && code !== undefined && UPSTREAM_CODES.has(code)) {
      violations.push({ kind: 'upstream-error-while-healthy', message: where, path: error.path });
    }
    if (!error.path) {
      violations.push({ kind: 'error-without-path', message: where });
      continue;
    }
    const problem = unresolved(response.data, error.path);
    if (problem) violations.push({ kind: 'error-path-not-in-response', message: `${where}: ${problem}`, path: error.path });
    const service = error.extensions?.service as SystemName | undefined;
    const deps = dependencies(op, error.path, systems);
    if (!deps) violations.push({ kind: 'error-path-not-in-query', message: where, path: error.path });
    else if (service !== undefined && !deps.has(service)) {
      const message = `${where} names ${service}; the path depends on ${[...deps].join(', ')}`;
      violations.push({ kind: 'error-service-not-on-path', message, path: error.path });
    }
  }
  return violations;
}

/** Why `path` does not resolve in `data` to a null at its last segment; null when it does. */
function unresolved(data: unknown, path: Path): string | null {
  let current: unknown = data;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    const at = pathText(path.slice(0, i)) || 'data';
    if (current === null || current === undefined) return `${at} is ${current === null ? 'null' : 'absent'}`;
    if (Array.isArray(current)) {
      if (typeof segment !== 'number') return `${at} is a list, indexed by "${segment}" (no list index)`;
      if (segment < 0 || segment >= current.length) return `index ${segment} is outside the list of ${current.length} at ${at}`;
    } else if (typeof current === 'object') {
      if (typeof segment !== 'string') return `${at} is an object, indexed by ${segment}`;
      if (!Object.hasOwn(current, segment)) return `${pathText(path.slice(0, i + 1))} is not in the response`;
    } else return `${at} is a ${typeof current}`;
    current = (current as Record<string | number, unknown>)[segment];
    if (last && current !== null) return `${pathText(path)} is not null`;
  }
  return null;
}

function startsWith(path: Path | undefined, prefix: Path): boolean {
  return path !== undefined && path.length >= prefix.length && prefix.every((segment, i) => path[i] === segment);
}

const errorKey = (e: GraphQLErrorJson) => `${pathText(e.path)}|${String(e.extensions?.code)}`;

/**
 * The chaos answer against the healthy one. `failing` is the system the knob breaks
 * (undefined in the healthy phase: then both answers must agree everywhere).
 */
export function compareWithHealthy(
  op: Operation,
  healthy: GraphQLResponse,
  chaos: GraphQLResponse,
  failing: SystemName | undefined,
  knob: Knob,
  systems: FieldSystems,
): Violation[] {
  const violations: Violation[] = [];
  const limited = isLimitRejection(healthy);
  if (limited || isLimitRejection(chaos)) {
    if (limited !== isLimitRejection(chaos)) {
      violations.push({ kind: 'limit-differs', message: 'only one gateway rejected the document by a limit' });
    }
    return violations;
  }
  const chaosErrors = chaos.errors ?? [];
  const explained = (path: Path) => chaosErrors.some((e) => startsWith(e.path, path));
  const errorsAt = (path: Path) =>
    chaosErrors
      .filter((e) => startsWith(e.path, path) || startsWith(path, e.path ?? ['\u0000']))
      .map((e) => `${String(e.extensions?.code)} "${e.message}" at ${pathText(e.path)}`)
      .join('; ') || 'no error there';

  type Deps = ReadonlySet<SystemName>;
  type System = SystemName | undefined;
  const walk = (selections: readonly FieldSelection[], base: unknown, got: unknown, path: Path, deps: Deps, parent: System) => {
    for (const selection of selections) {
      const key = responseKey(selection);
      const system = systems.systemOf(selection.parentType, selection.name, parent);
      const fieldDeps = new Set(deps);
      if (system) fieldDeps.add(system);
      const here = [...path, key];
      const b = (base as Record<string, unknown> | null | undefined)?.[key];
      const g = (got as Record<string, unknown> | null | undefined)?.[key];
      value(selection, b, g, here, fieldDeps, system);
    }
  };
  const value = (selection: FieldSelection, b: unknown, g: unknown, path: Path, deps: Deps, system: SystemName | undefined) => {
    if (b === undefined || b === null) return;
    const mayFail = failing !== undefined && deps.has(failing);
    if (g === null || g === undefined) {
      // Absent means an ancestor is null: that ancestor's error explains it.
      if (!mayFail) {
        violations.push({
          kind: 'healthy-field-lost',
          message:
            `${pathText(path)} (${[...deps].join('+') || 'gateway'}) is ${g === null ? 'null' : 'absent'} ` +
            `with ${failing ?? 'no system'} failing; ` +
            `healthy answer ${JSON.stringify(b).slice(0, 120)}; errors: ${errorsAt(path)}`,
          path,
        });
      } else if (g === null && !explained(path)) {
        violations.push({ kind: 'null-without-error', message: `${pathText(path)} is null with no error at or below it`, path });
      }
      return;
    }
    if (Array.isArray(b)) {
      if (!Array.isArray(g) || (!mayFail && g.length !== b.length)) {
        const now = Array.isArray(g) ? g.length : typeof g;
        const message = `${pathText(path)}: ${b.length} items healthy, ${now} now`;
        if (!mayFail) violations.push({ kind: 'healthy-field-changed', message, path });
        return;
      }
      b.forEach((item, i) => (i < g.length ? value(selection, item, g[i], [...path, i], deps, system) : undefined));
      return;
    }
    if (selection.selections) {
      walk(selection.selections, b, g, path, deps, system);
      return;
    }
    if (!mayFail && JSON.stringify(b) !== JSON.stringify(g)) {
      const message = `${pathText(path)}: ${JSON.stringify(b)} healthy, ${JSON.stringify(g)} now`;
      violations.push({ kind: 'healthy-field-changed', message, path });
    }
  };
  walk(op.selections, healthy.data, chaos.data, [], new Set(), undefined);

  // With `data: null` the healthy answer's errors are only those raised before execution
  // gave up; nothing to compare new errors with (the walk above has already reported it).
  if (healthy.data === null || healthy.data === undefined) return violations;
  const before = new Set((healthy.errors ?? []).map(errorKey));
  for (const error of chaosErrors) {
    if (before.has(errorKey(error)) || !error.path) continue;
    const code = String(error.extensions?.code);
    const service = error.extensions?.service;
    const where = `${code} "${error.message}" at ${pathText(error.path)}`;
    const deps = dependencies(op, error.path, systems);
    const expected = knob !== 'none' && EXPECTED_CODES[knob].some((c) => c === code) && service === failing;
    if (failing === undefined || !deps?.has(failing)) {
      const message = `${where}, which does not depend on ${failing ?? 'any failing system'}`;
      violations.push({ kind: 'error-at-healthy-field', message, path: error.path });
    } else if (knob !== 'none' && code !== 'INTERNAL_SERVER_ERROR' && !expected) {
      violations.push({
        kind: 'unexpected-code-for-knob',
        message: `${where} (service ${String(service)}); ${failing} ${knob} should give ${EXPECTED_CODES[knob].join(' or ')} (${failing})`,
        path: error.path,
      });
    }
  }
  return violations;
}
