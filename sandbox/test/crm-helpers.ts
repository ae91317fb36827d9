/**
 * Starts the CRM emulator alone on an ephemeral port (through `startSandbox`, as the gateway
 * does) and gives the CRM test files small raw-HTTP helpers: `api` sends the sandbox token,
 * `admin` talks to `/__sandbox/`.
 */
import type { CrmEmulator } from '../src/crm/index.ts';
import type { ChaosKnobs } from '../src/http.ts';
import { SANDBOX_CREDENTIALS, type SandboxServer, startSandbox } from '../src/index.ts';
import type { World } from '../src/world.ts';

export const CRM_TOKEN = SANDBOX_CREDENTIALS.crm;

export interface HttpResult<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

/** Loosely typed JSON: assertions reach deep into vendor bodies, and a wrong path fails the assertion anyway. */
export type Json = any;

export interface CrmHarness {
  url: string;
  world: World;
  server: SandboxServer;
  emulator: CrmEmulator;
  api<T = Json>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult<T>>;
  admin<T = Json>(method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
  knobs(patch: Partial<ChaosKnobs> & { rateLimitForMs?: number }): Promise<void>;
  close(): Promise<void>;
}

export async function startCrm(contacts = 200): Promise<CrmHarness> {
  const sandbox = await startSandbox({ systems: ['crm'], world: { size: contacts } });
  const server = sandbox.server('crm');
  const url = sandbox.urls.crm as string;
  const send = async <T>(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<HttpResult<T>> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    url,
    world: sandbox.world,
    server,
    emulator: server.vendor as CrmEmulator,
    api: (method, path, body, headers = {}) => send(method, path, body, { authorization: `Bearer ${CRM_TOKEN}`, ...headers }),
    admin: (method, path, body) => send(method, path, body, {}),
    knobs: async (patch) => {
      await server.setKnobs(patch);
    },
    close: () => sandbox.close(),
  };
}

/** Follows `paging.next.after` of a v3 list to the end, returning every page's results. */
export async function listAll(crm: CrmHarness, path: string, onPage?: (page: number) => Promise<void>): Promise<Json[]> {
  const all: Json[] = [];
  let after: string | undefined;
  for (let page = 0; ; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await crm.api('GET', `${path}${after ? `${sep}after=${encodeURIComponent(after)}` : ''}`);
    if (res.status !== 200) throw new Error(`page ${page}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    all.push(...res.body.results);
    await onPage?.(page);
    if (!res.body.paging) return all;
    after = res.body.paging.next.after;
  }
}
