/**
 * The sandbox's HTTP core, shared by the three emulated vendors: a small router, applying the
 * chaos knobs (defined in chaos.ts), the per-system request log and the admin API under
 * `/__sandbox/`. A vendor module supplies its routes and its own shapes for auth failures,
 * 429s and 500s, so every fault the knobs inject looks exactly like the real vendor's.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ChaosKnobs, corrupt, DEFAULT_KNOBS, validateKnobs } from './chaos.ts';
import { gateAdmin, GateRegistry, type GateInfo, type GateRoutes, type GateSpec, gateText, validateGate } from './gates.ts';
import { RequestLog, type RequestLogEntry } from './request-log.ts';
import type { SystemName } from './system-name.ts';

export { RequestLog, type RequestLogEntry } from './request-log.ts';
export type { ChaosKnobs, Corruption, Outage } from './chaos.ts';
export { DEFAULT_KNOBS } from './chaos.ts';
export { DEFAULT_GATE_TIMEOUT_MS, GateRegistry, type GateInfo, type GateRelease, type GateSpec } from './gates.ts';

export interface SandboxRequest {
  method: string;
  path: string;
  url: URL;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Route parameters (`:type` in `/crm/v3/objects/:type`). */
  params: Record<string, string>;
  /** `METHOD /pattern`, the key of the request log. */
  route: string;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless `raw` is given. */
  body?: unknown;
  /** A literal body (with `headers['content-type']`), e.g. an HTML error page. */
  raw?: string | Buffer;
}

export type Handler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

interface RouteEntry {
  method: string;
  pattern: string;
  segments: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: RouteEntry[] = [];

  /** Every route as the request log names it, `METHOD /pattern`. */
  keys(): string[] {
    return this.routes.map((r) => `${r.method} ${r.pattern}`);
  }

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, pattern, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** First registered match wins, so literal routes go before parameterized ones. */
  match(method: string, path: string): { entry: RouteEntry; params: Record<string, string> } | 'method-not-allowed' | null {
    const parts = path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const entry of this.routes) {
      if (entry.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = entry.segments[i];
        if (seg.startsWith(':')) {
          const value = safeDecode(parts[i]);
          // A malformed escape can name no record: treat it as no match, as the vendors do.
          if (value === undefined) {
            ok = false;
            break;
          }
          params[seg.slice(1)] = value;
        } else if (seg !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      pathMatched = true;
      if (entry.method === method) return { entry, params };
    }
    return pathMatched ? 'method-not-allowed' : null;
  }
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** What a vendor module gives the core. */
export interface VendorEmulator {
  system: SystemName;
  router: Router;
  /** Returns the vendor's rejection when the credential is missing or wrong; null when it is fine. */
  authenticate(req: SandboxRequest): SandboxResponse | null;
  rateLimited(req: SandboxRequest): SandboxResponse;
  internalError(req: SandboxRequest): SandboxResponse;
  notFound(req: SandboxRequest): SandboxResponse;
  /** Extra routes under `/__sandbox/` (e.g. `POST /__sandbox/edit`), outside auth and chaos. */
  admin?: Router;
  /** Restores the seeded data. */
  reset(): void;
  /** Adds headers every response carries (request IDs, rate-limit counters). */
  decorate?(req: SandboxRequest, res: SandboxResponse): void;
  /** The vendor's OpenAPI document, served at `GET /openapi.json`. */
  openapi?: () => unknown;
  /** The emulator reads the live knobs (e.g. `searchLagMs`) through this. */
  knobs?: ChaosKnobs;
  close?(): Promise<void> | void;
}

export interface SandboxServerOptions {
  knobs?: Partial<ChaosKnobs>;
  /** Resolves `/__sandbox/systems/:system/...` admin calls to a sibling server. */
  peers?: () => Map<SystemName, SandboxServer>;
  /** Shared by sibling servers, so an arrival on one opens a gate on another (default: this server's own). */
  gates?: GateRegistry;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Encoded {
  status: number;
  headers: Record<string, string>;
  payload: Buffer;
  truncated: boolean;
}

export class SandboxServer {
  readonly system: SystemName;
  readonly requests = new RequestLog();
  readonly knobs: ChaosKnobs;
  readonly gates: GateRegistry;
  private readonly initialKnobs: ChaosKnobs;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  /** Connections carrying an admin call right now: a 'refuse' it sets closes them after the answer. */
  private readonly adminSockets = new Set<Socket>();
  private port = 0;
  private host = '127.0.0.1';
  private listening = false;
  /** Responses to give the next API requests, in order, before any other handling (tests' scripted faults). */
  private readonly scripted: SandboxResponse[] = [];

  constructor(
    readonly vendor: VendorEmulator,
    private readonly options: SandboxServerOptions = {},
  ) {
    this.system = vendor.system;
    this.initialKnobs = { ...DEFAULT_KNOBS, ...options.knobs };
    this.knobs = { ...this.initialKnobs };
    this.gates = options.gates ?? new GateRegistry();
    vendor.knobs = this.knobs;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.host = host;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.listening = true;
    return this.url;
  }

  async close(): Promise<void> {
    this.clearGates();
    for (const socket of this.sockets) socket.destroy();
    if (this.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.listening = false;
    await this.vendor.close?.();
  }

  /** Applies knob changes; `outage: 'refuse'` really closes the port, and lifting it reopens it. */
  async setKnobs(patch: Partial<ChaosKnobs> & { rateLimitForMs?: number }): Promise<ChaosKnobs> {
    const { rateLimitForMs, ...rest } = patch;
    const before = this.knobs.outage;
    Object.assign(this.knobs, rest);
    if (rateLimitForMs !== undefined) this.knobs.rateLimitedUntil = Date.now() + rateLimitForMs;
    if (before !== 'refuse' && this.knobs.outage === 'refuse' && this.listening) {
      // The port stops accepting and every open connection is cut at once, as when a vendor
      // goes down, except one carrying an admin call: it gets its answer, then closes. (Cutting
      // them later, on a timer, served requests after the outage began and, when the timer
      // ran late, cut the connections of the next healthy spell.)
      this.server.close();
      this.listening = false;
      for (const socket of this.sockets) if (!this.adminSockets.has(socket)) socket.destroy();
      // Past one poll of the event loop (the second immediate runs after it), so clients in
      // this process see their connections end before they send again, instead of writing
      // into a closed one (ECONNRESET).
      for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    } else if (before === 'refuse' && this.knobs.outage !== 'refuse' && !this.listening) {
      await this.listen(this.port, this.host);
    }
    return this.knobs;
  }

  /** Queues literal responses for the next API requests (e.g. 503, then 429 with Retry-After, then the real answer). */
  script(responses: readonly SandboxResponse[]): void {
    this.scripted.push(...responses);
  }

  /**
   * Holds the answers of `spec.route` until a request for `spec.until` arrives (or the timeout
   * passes); the request log records which (`heldUntil`). Throws the admin API's 400 message
   * for an invalid spec.
   */
  gate(spec: GateSpec): GateInfo {
    const problem = validateGate(spec, this.system, this.gateRoutes());
    if (problem) throw new Error(`invalid gate: ${problem}`);
    return this.gates.add(this.system, spec);
  }

  /** Opens a gate set without `until`: what it holds goes (recorded as 'opened'); false when there is no such gate. */
  readonly openGate = (id: string): boolean => this.gates.open(this.system, id);

  /** Removes this server's gates (or the one with `id`), letting held answers go; how many went. */
  clearGates(id?: string): number {
    return this.gates.clear(this.system, id);
  }

  /** The systems a gate of this server may wait for: the siblings sharing its registry. */
  private gateRoutes(): GateRoutes {
    const systems = new Map<SystemName, readonly string[]>([[this.system, this.vendor.router.keys()]]);
    for (const [system, peer] of this.options.peers?.() ?? []) {
      if (peer.gates === this.gates) systems.set(system, peer.vendor.router.keys());
    }
    return systems;
  }

  /** Restores knobs, clears the request log and gates, and reseeds the vendor's data. */
  async resetAll(): Promise<void> {
    this.scripted.length = 0;
    this.clearGates();
    await this.setKnobs({ ...this.initialKnobs });
    this.requests.reset();
    this.vendor.reset();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = performance.now();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const base = {
      method: req.method ?? 'GET',
      path: url.pathname,
      url,
      query: url.searchParams,
      headers: req.headers,
      rawBody: Buffer.concat(chunks),
      params: {},
    };

    if (url.pathname.startsWith('/__sandbox/') || url.pathname === '/__sandbox') {
      const socket = req.socket;
      this.adminSockets.add(socket);
      try {
        const out = await this.handleAdmin({ ...base, route: `${base.method} ${url.pathname}` }).catch(
          (error: unknown): SandboxResponse => ({ status: 500, body: { error: String(error) } }),
        );
        // The call refused the port (or it was refused meanwhile): answer, then close.
        if (!this.listening) res.setHeader('connection', 'close');
        return await this.send(res, this.encode(out, false), false);
      } finally {
        this.adminSockets.delete(socket);
      }
    }

    if (this.knobs.outage === 'hang') return; // the socket stays open until the server closes

    const match = this.vendor.router.match(base.method, url.pathname);
    const route = match && match !== 'method-not-allowed' ? `${base.method} ${match.entry.pattern}` : `${base.method} (unknown)`;
    const request: SandboxRequest = { ...base, route, params: match && match !== 'method-not-allowed' ? match.params : {} };
    const held = this.gates.arrive(this.system, route, () => gateText(url, base.rawBody));
    // Requests that arrived together are all logged as arrived before any of them is
    // worked on, so one answer's work is not counted into the next one's latency.
    await new Promise<void>((resolve) => setImmediate(resolve));
    let out: SandboxResponse;
    try {
      out = await this.respond(request, match);
    } catch (error) {
      out = this.vendor.internalError(request);
      console.error(`[sandbox:${this.system}] ${route} failed:`, error);
    }
    this.vendor.decorate?.(request, out);
    const entry: RequestLogEntry = {
      at: performance.timeOrigin + arrivedAt,
      method: base.method,
      path: url.pathname,
      search: url.search,
      ...(base.rawBody.length > 0 ? { body: base.rawBody.toString('utf8') } : {}),
      route,
      status: out.status,
      ...(typeof base.headers.traceparent === 'string' ? { traceparent: base.headers.traceparent } : {}),
    };
    this.requests.record(entry);
    // Held before the latency: the answer goes out once both have passed.
    if (held) entry.heldUntil = await held;
    // The vendor answers `latencyMs` after the request arrived: the emulator's own work,
    // serializing included, happens inside that time instead of adding to it, so a large
    // search answer is not slower than the latency the knob promises (unless the work
    // itself takes longer).
    const encoded = this.encode(out, true);
    const delay = this.knobs.latencyMs + (this.knobs.jitterMs ? (Math.random() * 2 - 1) * this.knobs.jitterMs : 0);
    const wait = arrivedAt + delay - performance.now();
    if (wait > 0) await sleep(wait);
    entry.answeredAt = performance.timeOrigin + performance.now();
    return this.send(res, encoded, true);
  }

  private async respond(request: SandboxRequest, match: ReturnType<Router['match']>): Promise<SandboxResponse> {
    if (request.method === 'GET' && request.path === '/openapi.json' && this.vendor.openapi) {
      return { status: 200, body: this.vendor.openapi() };
    }
    const scripted = this.scripted.shift();
    if (scripted) return { ...scripted, headers: { ...scripted.headers } };
    const denied = this.vendor.authenticate(request);
    if (denied) return denied;
    if (Date.now() < this.knobs.rateLimitedUntil) return this.vendor.rateLimited(request);
    if (this.knobs.errorRate > 0 && Math.random() < this.knobs.errorRate) return this.vendor.internalError(request);
    if (match === null || match === 'method-not-allowed') return this.vendor.notFound(request);
    return match.entry.handler(request);
  }

  /** The response's bytes and headers, with any corruption the knobs ask for applied. */
  private encode(out: SandboxResponse, chaos: boolean): Encoded {
    let payload: Buffer;
    const headers: Record<string, string> = { ...out.headers };
    if (out.raw !== undefined) {
      payload = Buffer.isBuffer(out.raw) ? out.raw : Buffer.from(out.raw);
    } else if (out.body === undefined) {
      payload = Buffer.alloc(0);
    } else {
      headers['content-type'] ??= 'application/json; charset=utf-8';
      payload = Buffer.from(JSON.stringify(out.body));
    }
    const corruptible = chaos && this.knobs.corrupt !== 'none' && out.status < 300 && out.raw === undefined && out.body !== undefined;
    if (corruptible) {
      payload = corrupt(payload, this.knobs.corrupt);
      if (this.knobs.corrupt === 'html') headers['content-type'] = 'text/html; charset=utf-8';
    }
    const truncated = corruptible && this.knobs.corrupt === 'truncate';
    // A truncated body announces its full length, so the client sees the connection end early.
    headers['content-length'] = String(truncated ? payload.length * 2 : payload.length);
    return { status: out.status, headers, payload, truncated };
  }

  private async send(res: ServerResponse, { status, headers, payload, truncated }: Encoded, chaos: boolean): Promise<void> {
    res.writeHead(status, headers);
    if (chaos && this.knobs.slowBodyMs > 0 && payload.length > 0) {
      const pieces = 10;
      const size = Math.ceil(payload.length / pieces);
      for (let i = 0; i < payload.length; i += size) {
        res.write(payload.subarray(i, i + size));
        await sleep(this.knobs.slowBodyMs / pieces);
      }
      res.end();
      return;
    }
    if (truncated) {
      // Headers first, then half the body, then the connection ends: what a client sees
      // when a vendor's response is cut off mid-body.
      res.flushHeaders();
      res.write(payload, () => res.socket?.end());
      return;
    }
    res.end(payload);
  }

  private async handleAdmin(req: SandboxRequest): Promise<SandboxResponse> {
    const parts = req.path.split('/').filter(Boolean); // ['__sandbox', ...]
    if (parts[1] === 'systems' && parts[2]) {
      const peer = this.options.peers?.().get(parts[2] as SystemName);
      if (!peer) return { status: 404, body: { error: `no sandbox system '${parts[2]}'` } };
      const path = `/__sandbox/${parts.slice(3).join('/')}`;
      return peer.handleAdmin({ ...req, path, route: `${req.method} ${path}` });
    }
    const body = parseJson(req.rawBody);
    if (parts[1] === 'gates' && parts.length <= 4) {
      return gateAdmin(req.method, parts.slice(2), body, { system: this.system, registry: this.gates, routes: () => this.gateRoutes() });
    }
    switch (`${req.method} ${parts.slice(1).join('/')}`) {
      case 'GET requests':
        return { status: 200, body: { system: this.system, ...this.requests.toJSON() } };
      case 'POST reset':
        if (req.query.get('scope') === 'all' || (body as { scope?: string } | undefined)?.scope === 'all') await this.resetAll();
        else this.requests.reset();
        return { status: 200, body: { ok: true } };
      case 'GET knobs':
        return { status: 200, body: this.knobs };
      case 'POST knobs':
      case 'PATCH knobs': {
        const problem = validateKnobs(body);
        if (problem) return { status: 400, body: { error: problem } };
        return { status: 200, body: await this.setKnobs(body as Partial<ChaosKnobs>) };
      }
      case 'GET health':
        return { status: 200, body: { ok: true, system: this.system } };
      case 'POST script': {
        const responses = (body as { responses?: unknown } | undefined)?.responses;
        const valid =
          Array.isArray(responses) &&
          responses.every((r) => typeof r === 'object' && r !== null && Number.isInteger((r as SandboxResponse).status));
        if (!valid) return { status: 400, body: { error: 'expected { "responses": [{ "status": 503, "headers": {…}, "body": … }, …] }' } };
        this.script(responses as SandboxResponse[]);
        return { status: 200, body: { ok: true, queued: this.scripted.length } };
      }
    }
    const match = this.vendor.admin?.match(req.method, req.path);
    if (match && match !== 'method-not-allowed') return match.entry.handler({ ...req, params: match.params });
    return { status: 404, body: { error: `unknown admin route ${req.method} ${req.path}` } };
  }
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
