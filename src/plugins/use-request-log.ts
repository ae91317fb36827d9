/**
 * One line per failed request, at the level of whoever must act on it:
 * - `info`: the client's own mistake (bad input, unknown record, no credential, no scope, its
 *   own limits) — nothing for an operator to do;
 * - `warn`: trouble upstream (a vendor down, slow, rate limiting or answering nonsense);
 * - `error`: a bug in the gateway (INTERNAL_SERVER_ERROR, logged with the original error and
 *   its stack) or a misconfiguration only the operator can fix (UPSTREAM_AUTH_FAILED).
 * The line lists every error of the response (code, service, path, safe message), so twenty
 * fields failing for one outage are one line, not twenty. It carries the request ID, the
 * operation name and the principal ID. Yoga's own error logging is turned off
 * (see gateway.ts): this is the one place a failed request is logged.
 */
import { getOperationAST, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { maskedCauseOf } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { principalOf } from './use-auth.ts';
import { requestLogger, setOperationName } from '../observability/request-log.ts';

type Level = 'info' | 'warn' | 'error';

const UPSTREAM_TROUBLE = new Set([
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BAD_RESPONSE',
  'WRITE_OUTCOME_UNKNOWN',
  'OVERLOADED',
]);
const OPERATOR_MUST_ACT = new Set(['UPSTREAM_AUTH_FAILED', 'INTERNAL_SERVER_ERROR']);
const RANK: Record<Level, number> = { info: 0, warn: 1, error: 2 };
/** At most this many errors are listed in the line (a page of 500 failed rows is still one short line). */
const LISTED_ERRORS = 10;

/** Who must act on an error with this code: the client (info), the vendor (warn) or the operator (error). */
export function levelOf(code: string | undefined, service: unknown): Level {
  if (code === undefined || OPERATOR_MUST_ACT.has(code)) return 'error';
  if (UPSTREAM_TROUBLE.has(code)) return 'warn';
  // A vendor's quota is upstream trouble; the caller's own per-minute limit (no service) is its own doing.
  if (code === 'RATE_LIMITED') return service ? 'warn' : 'info';
  return 'info';
}

interface ResultLike {
  errors?: readonly unknown[];
}

function isResult(value: unknown): value is ResultLike {
  return typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value);
}

export function logOutcome(log: Logger, errors: readonly unknown[]): void {
  let level: Level = 'info';
  let cause: unknown;
  const listed: Record<string, unknown>[] = [];
  for (const error of errors) {
    const extensions = (error as GraphQLError).extensions ?? {};
    // graphql-js's own request errors (syntax, validation) come without a code until hygiene names them.
    const code =
      typeof extensions.code === 'string'
        ? extensions.code
        : error instanceof GraphQLError && !error.path
          ? 'GRAPHQL_REQUEST_ERROR'
          : undefined;
    const errorLevel = levelOf(code, extensions.service);
    if (RANK[errorLevel] > RANK[level]) level = errorLevel;
    if (cause === undefined && error instanceof GraphQLError) cause = maskedCauseOf(error);
    if (listed.length < LISTED_ERRORS) {
      listed.push({ code, service: extensions.service, path: (error as GraphQLError).path?.join('.'), message: (error as Error).message });
    }
  }
  const codes = [...new Set(listed.map((e) => e.code))];
  const message =
    level === 'info' ? 'request failed: client error' : level === 'warn' ? 'request failed: upstream trouble' : 'request failed';
  log[level]({ codes, errorCount: errors.length, errors: listed, ...(cause === undefined ? {} : { err: cause }) }, message);
}

export function useRequestLog(logger: Logger): Plugin {
  function outcome(request: Request, errors: readonly unknown[]): void {
    if (errors.length === 0) return;
    const log = requestLogger(logger, request, principalOf(request)?.id);
    // Whatever failed after the client left failed because it left (its calls were aborted):
    // nothing there for anyone to act on, and no client reads the errors.
    if (request.signal.aborted) log.info('client closed the request');
    else logOutcome(log, errors);
  }
  return {
    onParams({ params, request }) {
      if (typeof params.operationName === 'string') setOperationName(request, params.operationName);
    },
    // Parsing runs before the context is built, so the context's logger already has the name.
    onParse({ context }) {
      const { request, params } = context as { request?: Request; params?: { operationName?: unknown } };
      return ({ result }) => {
        if (!request || !result || result instanceof Error || !('kind' in result)) return;
        const name = typeof params?.operationName === 'string' ? params.operationName : undefined;
        setOperationName(request, getOperationAST(result, name)?.name?.value);
      };
    },
    // A result in parts (`@defer`) is one outcome too: its parts' errors, in one line at its end.
    onExecute: () => ({
      onExecuteDone({ args, result }) {
        const request = (args.contextValue as { request?: Request }).request;
        if (!request || isResult(result)) return;
        const errors: unknown[] = [];
        return {
          onNext({ result: part }) {
            const { errors: own, incremental } = part as ResultLike & { incremental?: readonly ResultLike[] };
            errors.push(...(own ?? []), ...(incremental ?? []).flatMap((item) => item.errors ?? []));
          },
          onEnd: () => outcome(request, errors),
        };
      },
    }),
    onResultProcess({ request, result }) {
      // Batching is off; a subscription's events are not one outcome (a failed subscribe is a plain result).
      if (isResult(result)) outcome(request, result.errors ?? []);
    },
  };
}
