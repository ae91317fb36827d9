/**
 * How Slack reads arguments and writes envelopes. Arguments arrive as query parameters, as an
 * `application/x-www-form-urlencoded` body, or — for write methods only — as a JSON body
 * (Slack ignores JSON bodies on read methods, so a connector that sends one sees its
 * arguments vanish, exactly as in production). Every answer except a 429 is HTTP 200, and
 * success or failure is in `ok`.
 */
import type { SandboxRequest, SandboxResponse } from '../http.ts';

/** Methods whose JSON bodies Slack accepts (`consumes: application/json` in the spec). */
const JSON_METHODS = new Set(['chat.postMessage', 'auth.test']);

export class SlackArgs {
  readonly values = new Map<string, unknown>();
  /** Becomes `warning` + `response_metadata.warnings` on the answer. */
  readonly warnings: string[] = [];
  /** A body Slack cannot read (`invalid_json`, `json_not_object`): the call fails with it. */
  problem: string | null = null;
  /** Whether the `token` argument came from the query or a form (JSON bodies cannot carry it). */
  token: string | undefined;

  /** Strings as sent; numbers and booleans of a JSON body as their text. */
  string(name: string): string | undefined {
    const v = this.values.get(name);
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  }

  raw(name: string): unknown {
    return this.values.get(name);
  }

  /** Slack's booleans: `true`/`1` (any case) are true, anything else false. */
  bool(name: string): boolean {
    const v = this.values.get(name);
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    return typeof v === 'string' && (v === '1' || v.toLowerCase() === 'true');
  }

  /** An integer argument; unparsable or absent gives `fallback` (Slack ignores junk limits). */
  int(name: string, fallback: number): number {
    const s = this.string(name);
    if (s === undefined || s.trim() === '') return fallback;
    const n = Number.parseInt(s, 10);
    return Number.isFinite(n) ? n : fallback;
  }
}

const parsed = new WeakMap<SandboxRequest, SlackArgs>();

/** Parses once per request: `authenticate` needs the `token` argument before the route runs. */
export function argsOf(req: SandboxRequest): SlackArgs {
  const cached = parsed.get(req);
  if (cached) return cached;
  const args = new SlackArgs();
  for (const [k, v] of req.query) args.values.set(k, v);
  args.token = req.query.get('token') ?? undefined;
  if (req.method !== 'GET' && req.rawBody.length > 0) readBody(req, args);
  parsed.set(req, args);
  return args;
}

function readBody(req: SandboxRequest, args: SlackArgs): void {
  const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
  const [mediaType, ...params] = contentType.split(';').map((s) => s.trim());
  if (mediaType === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(req.rawBody.toString('utf8'));
    for (const [k, v] of form) args.values.set(k, v);
    if (form.has('token')) args.token = form.get('token') ?? undefined;
    return;
  }
  if (mediaType === 'application/json') {
    if (!JSON_METHODS.has(methodName(req))) return;
    if (!params.some((p) => p.startsWith('charset='))) args.warnings.push('missing_charset');
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      args.problem = 'invalid_json';
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      args.problem = 'json_not_object';
      return;
    }
    for (const [k, v] of Object.entries(body)) if (k !== 'token') args.values.set(k, v);
  }
}

/** `/api/users.list` → `users.list`. */
export function methodName(req: SandboxRequest): string {
  const i = req.path.lastIndexOf('/');
  return req.path.slice(i + 1);
}

export type SlackBody = Record<string, unknown>;

function withWarnings(body: SlackBody, args: SlackArgs | undefined): SlackBody {
  if (!args || args.warnings.length === 0) return body;
  const meta = (body.response_metadata as SlackBody | undefined) ?? {};
  return { ...body, warning: args.warnings.join(','), response_metadata: { ...meta, warnings: [...args.warnings] } };
}

export function ok(body: SlackBody, args?: SlackArgs): SandboxResponse {
  return { status: 200, body: withWarnings({ ok: true, ...body }, args) };
}

export function fail(error: string, args?: SlackArgs, extra: SlackBody = {}): SandboxResponse {
  return { status: 200, body: withWarnings({ ok: false, error, ...extra }, args) };
}

/** `invalid_arguments` with the `[ERROR]` line Slack puts in `response_metadata.messages`. */
export function missingArgument(name: string, args?: SlackArgs): SandboxResponse {
  return fail('invalid_arguments', args, { response_metadata: { messages: [`[ERROR] missing required field: ${name}`] } });
}

export function ratelimited(retryAfterSeconds: number): SandboxResponse {
  return {
    status: 429,
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    body: { ok: false, error: 'ratelimited' },
  };
}

/**
 * Slack's cursors are opaque base64 of `<kind>:<position>` (e.g. `dXNlcjpVMDYxTkZUVDI=` is
 * `user:U061NFTT2`). The position is the id or ts of the next item, not an offset, so records
 * created between two pages neither repeat nor skip anything.
 */
export function encodeCursor(kind: string, position: string): string {
  return Buffer.from(`${kind}:${position}`, 'utf8').toString('base64');
}

/** The position, `null` when no cursor was sent, or `false` for one this kind cannot have issued. */
export function decodeCursor(cursor: string | undefined, kind: string): string | null | false {
  if (cursor === undefined || cursor === '') return null;
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  return text.startsWith(`${kind}:`) && text.length > kind.length + 1 ? text.slice(kind.length + 1) : false;
}
