/**
 * Causal gates: the answer of one route is held until a request for another route has arrived,
 * on this server or a sibling started with it, or, for a gate with no `until`, until the test
 * opens it (after it saw in the request log what it waited for). Tests that must show two calls overlapped (one
 * sent while another was still unanswered) assert on the order this produces and on the cause
 * the request log records, instead of on a latency margin a loaded machine can overrun. The
 * timeout only keeps a regression from hanging: a held answer then goes out, recorded as
 * released by 'timeout', and the order assertions fail.
 */
import type { SystemName } from './system-name.ts';

export interface GateSpec {
  /** The held route on the gate's server, `METHOD /pattern` as the request log names it. */
  route: string;
  /** Holds only requests whose path, decoded query string or body contains this text. */
  match?: string;
  /** The arrival that opens the gate: a request for `route` on `system` (default: the gate's own). Absent: opened by `open`. */
  until?: { system?: SystemName; route: string; match?: string };
  /** At most this long from a held request's arrival (default DEFAULT_GATE_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Holds only the first this many matching requests; later ones go out unheld (default: all). */
  first?: number;
}

/** Why a held answer went out: the awaited request arrived, the test opened the gate, the timeout passed, or the gate was cleared. */
export type GateRelease = 'arrival' | 'opened' | 'timeout' | 'cleared';

export interface GateInfo {
  id: string;
  system: SystemName;
  route: string;
  match?: string;
  until?: { system: SystemName; route: string; match?: string };
  timeoutMs: number;
  first?: number;
  /** The awaited request has arrived (or the gate was opened): answers of the route go out unheld from now on. */
  open: boolean;
  /** Answers waiting right now. */
  holding: number;
}

export const DEFAULT_GATE_TIMEOUT_MS = 10_000;
const MAX_GATE_TIMEOUT_MS = 600_000;

interface Gate extends Omit<GateInfo, 'holding'> {
  waiters: Set<(cause: GateRelease) => void>;
  /** Requests it has held so far (for `first`). */
  held: number;
}

/** The systems a gate may name, each with its routes (`METHOD /pattern`). */
export type GateRoutes = ReadonlyMap<SystemName, readonly string[]>;

/**
 * One per sandbox process (startSandbox shares it between its servers), so an arrival on one
 * system opens the gates of another.
 */
export class GateRegistry {
  private readonly gates = new Map<string, Gate>();
  private nextId = 1;

  add(system: SystemName, spec: GateSpec): GateInfo {
    const gate: Gate = {
      id: `g${this.nextId++}`,
      system,
      route: spec.route,
      ...(spec.match === undefined ? {} : { match: spec.match }),
      ...(spec.until === undefined
        ? {}
        : {
            until: {
              system: spec.until.system ?? system,
              route: spec.until.route,
              ...(spec.until.match === undefined ? {} : { match: spec.until.match }),
            },
          }),
      timeoutMs: spec.timeoutMs ?? DEFAULT_GATE_TIMEOUT_MS,
      ...(spec.first === undefined ? {} : { first: spec.first }),
      open: false,
      waiters: new Set(),
      held: 0,
    };
    this.gates.set(gate.id, gate);
    return info(gate);
  }

  list(system: SystemName): GateInfo[] {
    return [...this.gates.values()].filter((g) => g.system === system).map(info);
  }

  /** Removes one gate of `system` (or all of them), letting what they hold go; how many went. */
  clear(system: SystemName, id?: string): number {
    let cleared = 0;
    for (const gate of [...this.gates.values()]) {
      if (gate.system !== system || (id !== undefined && gate.id !== id)) continue;
      this.gates.delete(gate.id);
      for (const release of [...gate.waiters]) release('cleared');
      cleared++;
    }
    return cleared;
  }

  /** Opens one gate of `system`: what it holds goes, and later answers are not held; false when there is none. */
  open(system: SystemName, id: string): boolean {
    const gate = this.gates.get(id);
    if (gate?.system !== system) return false;
    release(gate, 'opened');
    return true;
  }

  /**
   * Called once per API request as it arrives, before any work on it. Returns what its answer
   * waits for (null when no gate holds its route), then opens the gates that awaited it.
   * `text` (path, decoded query, body) is built only when some gate matches on text.
   */
  arrive(system: SystemName, route: string, text: () => string): Promise<GateRelease> | null {
    if (this.gates.size === 0) return null;
    let cached: string | undefined;
    const matches = (match: string | undefined) => match === undefined || (cached ??= text()).includes(match);
    const holding = [...this.gates.values()].filter(
      (g) => g.system === system && g.route === route && matches(g.match) && (g.first === undefined || g.held < g.first),
    );
    const held = holding.length === 0 ? null : Promise.all(holding.map(hold)).then(strongest);
    for (const gate of this.gates.values()) {
      const { until } = gate;
      if (gate.open || !until || until.system !== system || until.route !== route || !matches(until.match)) continue;
      release(gate, 'arrival');
    }
    return held;
  }
}

function release(gate: Gate, cause: GateRelease): void {
  gate.open = true;
  for (const waiter of [...gate.waiters]) waiter(cause);
}

function hold(gate: Gate): Promise<GateRelease> | GateRelease {
  if (gate.open) return 'arrival';
  gate.held++;
  return new Promise((resolve) => {
    const release = (cause: GateRelease) => {
      clearTimeout(timer);
      gate.waiters.delete(release);
      resolve(cause);
    };
    const timer = setTimeout(() => release('timeout'), gate.timeoutMs);
    gate.waiters.add(release);
  });
}

/** A timeout under any gate says the awaited order did not happen, so it wins. */
function strongest(causes: GateRelease[]): GateRelease {
  for (const cause of ['timeout', 'cleared', 'opened'] as const) if (causes.includes(cause)) return cause;
  return 'arrival';
}

function info({ waiters, held: _, ...gate }: Gate): GateInfo {
  return { ...gate, ...(gate.until ? { until: { ...gate.until } } : {}), holding: waiters.size };
}

/** What a gate's `match` is looked for in: the path, the decoded query string and the body. */
export function gateText(url: URL, body: Buffer): string {
  const query = [...url.searchParams].map(([key, value]) => `${key}=${value}`).join('&');
  return `${url.pathname}?${query}\n${body.toString('utf8')}`;
}

/** What a gate admin call (`/__sandbox/gates[/<id>]`) answers. */
export interface GateAdminContext {
  system: SystemName;
  registry: GateRegistry;
  /** The systems sharing `registry`, with their routes: only asked for when a gate is set. */
  routes: () => GateRoutes;
}

/** `GET` lists this server's gates, `POST` sets one (or, at `<id>/open`, opens it), `DELETE` clears one (by id) or all. */
export function gateAdmin(
  method: string,
  [id, action]: (string | undefined)[],
  body: unknown,
  ctx: GateAdminContext,
): { status: number; body: unknown } {
  const { system, registry } = ctx;
  if (method === 'POST' && id !== undefined && action === 'open') {
    return registry.open(system, id)
      ? { status: 200, body: { ok: true } }
      : { status: 404, body: { error: `no gate '${id}' on ${system}` } };
  }
  if (action !== undefined) return { status: 404, body: { error: `no gate call '${action}': POST /__sandbox/gates/<id>/open` } };
  if (method === 'GET' && id === undefined) return { status: 200, body: { gates: registry.list(system) } };
  if (method === 'POST' && id === undefined) {
    const problem = validateGate(body, system, ctx.routes());
    if (problem) return { status: 400, body: { error: problem } };
    return { status: 200, body: registry.add(system, body as GateSpec) };
  }
  if (method === 'DELETE') {
    const cleared = registry.clear(system, id);
    if (id !== undefined && cleared === 0) return { status: 404, body: { error: `no gate '${id}' on ${system}` } };
    return { status: 200, body: { ok: true, cleared } };
  }
  return {
    status: 405,
    body: {
      error: `${method} is not a gate call: GET, POST or DELETE /__sandbox/gates, POST /__sandbox/gates/<id>/open, DELETE /__sandbox/gates/<id>`,
    },
  };
}

const SPEC_EXAMPLE =
  'expected { "route": "METHOD /pattern", "match"?: "text", "until"?: { "system"?: "billing", "route": "METHOD /pattern", "match"?: "text" }, "timeoutMs"?: 10000, "first"?: 1 }';

/** Why a gate spec is invalid, or null when it names routes of systems that share the gate registry. */
export function validateGate(body: unknown, system: SystemName, routes: GateRoutes): string | null {
  if (!isObject(body) || (body.until !== undefined && !isObject(body.until))) return SPEC_EXAMPLE;
  const unknown = Object.keys(body).find((k) => !['route', 'match', 'until', 'timeoutMs', 'first'].includes(k));
  if (unknown !== undefined) return `unknown gate field '${unknown}'`;
  const problem =
    routeProblem('route', body.route, system, routes) ??
    matchProblem('match', body.match) ??
    (body.until && untilProblem(body, system, routes));
  if (problem) return problem;
  const { timeoutMs } = body;
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_GATE_TIMEOUT_MS)
  ) {
    return `timeoutMs must be a positive number of ms, at most ${MAX_GATE_TIMEOUT_MS}`;
  }
  if (body.first !== undefined && (typeof body.first !== 'number' || !Number.isInteger(body.first) || body.first < 1)) {
    return 'first must be a whole number of requests, 1 or more';
  }
  return null;
}

function untilProblem(body: Record<string, unknown>, system: SystemName, routes: GateRoutes): string | null {
  const until = body.until as Record<string, unknown>;
  const unknownUntil = Object.keys(until).find((k) => !['system', 'route', 'match'].includes(k));
  if (unknownUntil !== undefined) return `unknown field 'until.${unknownUntil}'`;
  const untilSystem = until.system ?? system;
  if (typeof untilSystem !== 'string' || !routes.has(untilSystem as SystemName)) {
    return `until.system must be one of ${[...routes.keys()].join(', ')} (the systems started with this one)`;
  }
  const problem = routeProblem('until.route', until.route, untilSystem as SystemName, routes) ?? matchProblem('until.match', until.match);
  if (problem) return problem;
  // A request would open the gate holding it: it could never be held.
  if (untilSystem === system && until.route === body.route && until.match === body.match) {
    return 'until must name other requests than the ones the gate holds (another route, system or match)';
  }
  return null;
}

function routeProblem(field: string, route: unknown, system: SystemName, routes: GateRoutes): string | null {
  if (typeof route === 'string' && routes.get(system)?.includes(route)) return null;
  return `${field} must be a ${system} route as the request log names it, 'METHOD /pattern' (e.g. '${routes.get(system)?.[0]}'); got ${JSON.stringify(route)}`;
}

function matchProblem(field: string, match: unknown): string | null {
  return match === undefined || (typeof match === 'string' && match !== '') ? null : `${field} must be a non-empty string`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
