/**
 * The Switchboard client: typed operations over `fetch`.
 *
 *   const sb = createClient({ url: 'http://localhost:4000/graphql', apiKey: process.env.SWITCHBOARD_API_KEY });
 *   const { data, errors } = await sb.request(ContactByIdDocument, { id: '10000001' });
 *   for await (const event of sb.subscribe(LiveContactChangedDocument, { id })) { … }
 *
 * `request` never throws for a GraphQL error: `errors` carries them, typed, beside whatever
 * `data` did resolve (a failing system nulls only its own fields). It throws only when no
 * GraphQL answer arrived (SwitchboardTransportError) or the caller aborted.
 */
import { describeOperation, type OperationInfo, type TypedDocument } from './document.ts';
import type { SwitchboardError } from './errors.ts';
import { isRetryable, RETRY_DEFAULTS, retryDelayMs, sleep as realSleep, type RetryOptions } from './retry.ts';
import { subscription, type Subscription } from './sse.ts';
import { createExchange, type PersistedMode } from './transport.ts';

export interface ClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://localhost:4000/graphql` (a bare origin gets `/graphql`). */
  url: string;
  /** An API key (`sbk_…`), sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** A JWT, or a function returning the current one (called per request, so it can refresh); sent as a bearer token. */
  token?: string | (() => string | Promise<string>);
  /** Trusted documents: send the document's hash (`always`), its text (`never`, the default), or the hash with a fallback to the text (`auto`). */
  persisted?: PersistedMode;
  /** Retries of reads and keyed writes (see retry.ts); `false` never retries. */
  retry?: RetryOptions | false;
  /** Extra headers on every request (e.g. `x-request-id`). */
  headers?: Record<string, string>;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** graphql's `print`, to send AST documents (codegen's default documentMode); not needed for `documentMode: 'string'`. */
  print?: (document: never) => string;
  /** How the client waits between attempts (default: a timer); tests give a clock of their own. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** The idempotency key of a write whose document declares `$idempotencyKey` (default: one generated per call). */
  idempotencyKey?: string;
}

export interface SwitchboardResult<TData> {
  /** What resolved; null or absent when nothing did. */
  data?: TData | null;
  errors?: SwitchboardError[];
  extensions?: Record<string, unknown>;
  /** HTTP status of the last attempt. */
  status: number;
  /** How many times the operation was sent. */
  attempts: number;
  /** The idempotency key sent with every attempt (documents declaring `$idempotencyKey`). */
  idempotencyKey?: string;
}

/** A document's variables, with `idempotencyKey` optional (the client generates one when absent). */
export type VariablesOf<TVariables> = 'idempotencyKey' extends keyof TVariables
  ? Omit<TVariables, 'idempotencyKey'> & { idempotencyKey?: string }
  : TVariables;

/** Variables may be left out when the operation has none that are required. */
export type OperationArgs<TVariables, TOptions> =
  Record<string, never> extends VariablesOf<TVariables>
    ? [variables?: VariablesOf<TVariables>, options?: TOptions]
    : [variables: VariablesOf<TVariables>, options?: TOptions];

export interface SwitchboardClient {
  request<TData, TVariables>(
    document: TypedDocument<TData, TVariables>,
    ...args: OperationArgs<TVariables, RequestOptions>
  ): Promise<SwitchboardResult<TData>>;
  subscribe<TData, TVariables>(
    document: TypedDocument<TData, TVariables>,
    ...args: OperationArgs<TVariables, { signal?: AbortSignal }>
  ): Subscription<TData>;
}

export function createClient(options: ClientOptions): SwitchboardClient {
  const url = new URL(options.url);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/graphql';
  const retry = options.retry === false ? { ...RETRY_DEFAULTS, maxAttempts: 1 } : { ...RETRY_DEFAULTS, ...options.retry };
  const wait = options.sleep ?? realSleep;
  const exchange = createExchange({
    url: url.href,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    persisted: options.persisted ?? 'never',
    headers: async () => {
      const credential = typeof options.token === 'function' ? await options.token() : (options.token ?? options.apiKey);
      return { ...options.headers, ...(credential ? { authorization: `Bearer ${credential}` } : {}) };
    },
  });
  const describe = (document: TypedDocument<unknown, never>, expected?: 'subscription') => {
    const info = describeOperation(document, options.print);
    if (expected === 'subscription' ? info.kind !== 'subscription' : info.kind === 'subscription') {
      throw new TypeError(
        `${info.name ?? 'The operation'} is a ${info.kind}: use ${info.kind === 'subscription' ? 'subscribe' : 'request'}().`,
      );
    }
    return info;
  };

  return {
    async request(document, ...[variables, requestOptions]) {
      const info = describe(document);
      const { sent, idempotencyKey } = withIdempotencyKey(info, variables as Record<string, unknown> | undefined, requestOptions);
      const signal = requestOptions?.signal;
      for (let attempt = 1; ; attempt++) {
        signal?.throwIfAborted();
        const answer = await exchange.post(info, sent, signal);
        const result = {
          ...(answer.data === undefined ? {} : { data: answer.data as never }),
          ...(answer.errors ? { errors: answer.errors } : {}),
          ...(answer.extensions ? { extensions: answer.extensions } : {}),
          status: answer.status,
          attempts: attempt,
          ...(idempotencyKey ? { idempotencyKey } : {}),
        };
        if (!isRetryable(info.kind, idempotencyKey !== undefined, answer.errors)) return result;
        const delay = retryDelayMs(attempt, answer.errors!, retry, options.random);
        if (delay === undefined) return result;
        await wait(delay, signal);
      }
    },

    subscribe(document, ...[variables, subscribeOptions]) {
      const info = describe(document, 'subscription');
      return subscription(
        (signal) => exchange.stream(info, variables as Record<string, unknown> | undefined, signal),
        subscribeOptions?.signal,
      );
    },
  };
}

/**
 * A write whose document declares `$idempotencyKey` gets the caller's key, or one generated for
 * this call — the same one on every attempt, so the gateway runs it at most once.
 */
function withIdempotencyKey(
  info: OperationInfo,
  variables: Record<string, unknown> | undefined,
  options: RequestOptions | undefined,
): { sent: Record<string, unknown> | undefined; idempotencyKey?: string } {
  if (info.kind !== 'mutation' || !info.variables.has('idempotencyKey')) return { sent: variables };
  const given = variables?.idempotencyKey ?? options?.idempotencyKey;
  const idempotencyKey = typeof given === 'string' ? given : crypto.randomUUID();
  return { sent: { ...variables, idempotencyKey }, idempotencyKey };
}
