/**
 * One exchange with the gateway: the request body (query text, or a trusted document's hash),
 * the credential, and the answer read as GraphQL's JSON with its errors typed.
 *
 * Trusted documents (the gateway's TRUSTED_DOCUMENTS=1) run by hash only:
 * `extensions.persistedQuery.sha256Hash`, refused with 400 PERSISTED_QUERY_NOT_FOUND when the
 * hash is not in the manifest or when text is sent. `persisted: 'auto'` sends the hash and, when
 * the gateway does not know it — PERSISTED_QUERY_NOT_FOUND, or BAD_REQUEST ("Must provide query
 * string") from a gateway with trusted documents off — sends the text once, and from then on
 * sends that document as text.
 */
import type { OperationInfo } from './document.ts';
import { parseRetryAfter, SwitchboardTransportError, toSwitchboardError, type SwitchboardError } from './errors.ts';

export type PersistedMode = 'always' | 'never' | 'auto';

export interface TransportOptions {
  url: string;
  fetch: typeof fetch;
  persisted: PersistedMode;
  headers: () => Promise<Record<string, string>>;
}

export interface WireResult {
  status: number;
  headers: Headers;
  data?: unknown;
  errors?: SwitchboardError[];
  extensions?: Record<string, unknown>;
}

export interface Exchange {
  /** A query or mutation: the JSON answer. */
  post(info: OperationInfo, variables: Record<string, unknown> | undefined, signal?: AbortSignal): Promise<WireResult>;
  /** A subscription: the response, streaming when it is `text/event-stream`; a JSON refusal otherwise. */
  stream(info: OperationInfo, variables: Record<string, unknown> | undefined, signal: AbortSignal): Promise<Response | WireResult>;
}

const HASH_NOT_KNOWN = ['PERSISTED_QUERY_NOT_FOUND', 'BAD_REQUEST'];

export function createExchange(options: TransportOptions): Exchange {
  // Documents (by hash) the gateway did not know: 'auto' sends them as text from then on.
  const sendAsText = new Set<string>();

  async function send(info: OperationInfo, variables: Record<string, unknown> | undefined, accept: string, signal?: AbortSignal) {
    const asHash = options.persisted === 'always' || (options.persisted === 'auto' && !sendAsText.has(await hashOf(info)));
    const body = await requestBody(info, variables, asHash);
    const init = { method: 'POST', headers: { 'content-type': 'application/json', accept, ...(await options.headers()) }, signal };
    let response = await fetchOrThrow(options, { ...init, body: JSON.stringify(body) });
    if (options.persisted === 'auto' && asHash && response.status === 400) {
      const refusal = await readJson(response);
      if (!refusal.errors?.some((e) => HASH_NOT_KNOWN.includes(e.code))) return refusal;
      sendAsText.add(await hashOf(info));
      response = await fetchOrThrow(options, { ...init, body: JSON.stringify(await requestBody(info, variables, false)) });
    }
    return response;
  }

  return {
    async post(info, variables, signal) {
      const answer = await send(info, variables, 'application/graphql-response+json, application/json', signal);
      return answer instanceof Response ? readJson(answer) : answer;
    },
    async stream(info, variables, signal) {
      const answer = await send(info, variables, 'text/event-stream', signal);
      if (!(answer instanceof Response)) return answer;
      if (answer.ok && answer.headers.get('content-type')?.includes('text/event-stream')) return answer;
      return readJson(answer);
    },
  };
}

async function requestBody(info: OperationInfo, variables: Record<string, unknown> | undefined, asHash: boolean) {
  const common = { ...(info.name ? { operationName: info.name } : {}), ...(variables ? { variables } : {}) };
  if (!asHash) return { query: info.text, ...common };
  return { ...common, extensions: { persistedQuery: { version: 1, sha256Hash: await hashOf(info) } } };
}

/** The manifest's hash codegen embedded; else SHA-256 of the text (what codegen computes from the same text). */
async function hashOf(info: OperationInfo): Promise<string> {
  if (info.hash) return info.hash;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(info.text));
  info.hash = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  return info.hash;
}

async function fetchOrThrow(options: TransportOptions, init: RequestInit): Promise<Response> {
  try {
    return await options.fetch(options.url, init);
  } catch (error) {
    // An abort is the caller's own doing: it surfaces as it is, not as a transport failure.
    if ((init.signal as AbortSignal | undefined)?.aborted) throw (init.signal as AbortSignal).reason;
    throw new SwitchboardTransportError(`Could not reach ${options.url}: ${(error as Error).message}`, { cause: error });
  }
}

async function readJson(response: Response): Promise<WireResult> {
  const text = await response.text();
  let body: { data?: unknown; errors?: unknown; extensions?: Record<string, unknown> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch (error) {
    throw new SwitchboardTransportError(`The gateway answered ${response.status} with a body that is not JSON`, {
      status: response.status,
      cause: error,
    });
  }
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  const result: WireResult = { status: response.status, headers: response.headers };
  if ('data' in body) result.data = body.data;
  if (Array.isArray(body.errors)) result.errors = body.errors.map((e) => toSwitchboardError(e as object, retryAfter));
  if (body.extensions) result.extensions = body.extensions;
  return result;
}
