/**
 * Shared setup for the billing emulator's tests: a sandbox with only the Stripe emulator on
 * an ephemeral port, and a raw HTTP helper that speaks Stripe's wire format (form bodies,
 * Bearer auth) through global fetch.
 */
import { SANDBOX_CREDENTIALS, type Sandbox, startSandbox } from '../src/index.ts';
import type { ChaosKnobs } from '../src/http.ts';

export const API_KEY = SANDBOX_CREDENTIALS.billing;

export interface BillingHarness {
  sandbox: Sandbox;
  url: string;
  call: (method: string, path: string, options?: CallOptions) => Promise<CallResult>;
  admin: (method: string, path: string, body?: unknown) => Promise<CallResult>;
  knobs: (patch: Partial<ChaosKnobs> & { rateLimitForMs?: number }) => Promise<void>;
  close: () => Promise<void>;
}

export interface CallOptions {
  /** Form-encoded body (string) or key/value pairs encoded with `URLSearchParams`. */
  form?: string | Record<string, string> | [string, string][];
  headers?: Record<string, string>;
  /** Omit the Authorization header. */
  noAuth?: boolean;
}

export interface CallResult {
  status: number;
  // Response bodies are checked field by field in each test.
  body: any;
  headers: Headers;
}

export async function startBilling(options: { contacts?: number; knobs?: Partial<ChaosKnobs> } = {}): Promise<BillingHarness> {
  const sandbox = await startSandbox({
    systems: ['billing'],
    world: { size: options.contacts ?? 200 },
    systemKnobs: { billing: options.knobs ?? {} },
  });
  const url = sandbox.urls.billing!;
  const call = async (method: string, path: string, opts: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (!opts.noAuth) headers.authorization ??= `Bearer ${API_KEY}`;
    let body: string | undefined;
    if (opts.form !== undefined) {
      body = typeof opts.form === 'string' ? opts.form : new URLSearchParams(opts.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const admin = async (method: string, path: string, body?: unknown): Promise<CallResult> => {
    const res = await fetch(url + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const knobs = async (patch: Partial<ChaosKnobs> & { rateLimitForMs?: number }) => {
    const res = await admin('POST', '/__sandbox/knobs', patch);
    if (res.status !== 200) throw new Error(`knobs rejected: ${JSON.stringify(res.body)}`);
  };
  return { sandbox, url, call, admin, knobs, close: () => sandbox.close() };
}

export const q = (query: string) => encodeURIComponent(query);
