/**
 * One soak client: its own API key, GraphQL over real HTTP to either replica, each request
 * with its own `x-request-id` and a time limit after which the client stops waiting (the
 * operation's outcome is then unknown to it, as to a real client whose connection dropped).
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { Completion, History, Operation, Replica } from './history.ts';
import type { SoakClient } from './cluster.ts';

export interface GraphQLAnswer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export interface Call {
  kind: string;
  replica: Replica;
  query: string;
  variables?: Record<string, unknown>;
  subject?: string;
  value?: string;
  idempotencyKey?: string;
  retryOf?: number;
  /** Give up waiting after this long: the answer, if any, is never read. */
  timeoutMs: number;
  /** Cut the connection as soon as the request is sent (a client that went away mid-mutation). */
  cut?: boolean;
  /** What of the answer the checker keeps. */
  keep?: (answer: GraphQLAnswer) => unknown;
}

export class Client {
  constructor(
    readonly identity: SoakClient,
    private readonly urls: readonly [string, string],
    private readonly history: History,
  ) {}

  /** A read that is not an operation of the history (the convergence probes); undefined when it got no answer. */
  async probe(replica: Replica, query: string, variables: Record<string, unknown>): Promise<GraphQLAnswer | undefined> {
    try {
      const response = await fetch(`${this.urls[replica]}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.identity.key}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, ...((await response.json()) as Omit<GraphQLAnswer, 'status'>) };
    } catch {
      return undefined;
    }
  }

  async call(call: Call): Promise<{ op: Operation; answer?: GraphQLAnswer }> {
    const requestId = `soak-${randomUUID()}`;
    const op = this.history.invoke({
      client: this.identity.name,
      replica: call.replica,
      kind: call.kind,
      requestId,
      ...(call.subject === undefined ? {} : { subject: call.subject }),
      ...(call.value === undefined ? {} : { value: call.value }),
      ...(call.idempotencyKey === undefined ? {} : { idempotencyKey: call.idempotencyKey }),
      ...(call.retryOf === undefined ? {} : { retryOf: call.retryOf }),
    });
    const url = `${this.urls[call.replica]}/graphql`;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${this.identity.key}`, 'x-request-id': requestId };
    const body = JSON.stringify({ query: call.query, variables: call.variables });
    if (call.cut) {
      await cutAfterSending(url, headers, body);
      this.history.complete(op, 'unknown', { codes: ['CUT'] });
      return { op };
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), call.timeoutMs);
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: abort.signal });
      const text = await response.text();
      let answer: GraphQLAnswer;
      try {
        answer = { status: response.status, ...(JSON.parse(text) as Omit<GraphQLAnswer, 'status'>) };
      } catch {
        answer = {
          status: response.status,
          errors: [{ message: `not JSON: ${text.slice(0, 200)}`, extensions: { code: 'SOAK_NOT_JSON' } }],
        };
      }
      const codes = (answer.errors ?? []).map((error) => error.extensions?.code ?? 'NO_CODE');
      // An error that says the write was applied (only reading it back failed) acknowledges the write.
      const applied = answer.errors?.some((error) => (error.extensions as { writeApplied?: boolean } | undefined)?.writeApplied === true);
      const completion: Completion =
        !answer.errors?.length || applied ? 'ok' : codes.includes('WRITE_OUTCOME_UNKNOWN') ? 'unknown' : 'error';
      this.history.complete(op, completion, { httpStatus: answer.status, codes, ...(call.keep ? { result: call.keep(answer) } : {}) });
      return { op, answer };
    } catch (error) {
      // No answer: refused, cut, timed out. Whatever the gateway did is unknown to this client.
      const reason = abort.signal.aborted ? 'CLIENT_TIMEOUT' : `NETWORK:${(error as Error).cause ?? (error as Error).message}`;
      this.history.complete(op, 'unknown', { codes: [reason] });
      return { op };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Sends the whole request, then drops the connection without reading a byte of the answer. */
function cutAfterSending(url: string, headers: Record<string, string>, body: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } });
    req.on('error', () => resolve());
    req.on('finish', () =>
      setImmediate(() => {
        req.destroy();
        resolve();
      }),
    );
    req.end(body);
  });
}
