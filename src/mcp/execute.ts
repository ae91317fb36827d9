/**
 * A tool call runs as a GraphQL request through the gateway's own pipeline (`yoga.fetch`), with
 * the caller's own credential and request id: authentication, scopes, the per-principal rate
 * limit, trusted documents, depth and cost limits, vendor budgets, admission and the audit of
 * writes apply exactly as they do to any GraphQL client. Nothing here decides what a caller may
 * do; it only turns the answer into a tool result.
 *
 * The result: GraphQL `data` as JSON text and `structuredContent`; any error (a GraphQL error,
 * or a cross-system write that reports its own failure in `error`) makes it `isError: true`,
 * with each error's code, path and message only. The gateway has already masked messages, and
 * nothing else of an error (stack, cause, upstream body) is copied.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../observability/logger.ts';

export type GatewayFetch = (request: Request) => Promise<Response>;

/** What is sent: the document's text, or (trusted-documents mode) its manifest hash. */
export interface OperationRequest {
  query?: string;
  hash?: string;
  variables: Record<string, unknown>;
}

export interface ToolError {
  code: string;
  message: string;
  path?: (string | number)[];
  service?: string;
  requiredScopes?: string[];
  retryAfter?: number;
}

export interface ToolOutcome {
  result: CallToolResult;
  /** For the audit row: refused before anything ran, failed, or succeeded; the first error's code. */
  outcome: 'succeeded' | 'failed' | 'rejected';
  errorCode: string | null;
}

/** The headers that carry the caller's credential and identity to the GraphQL request. */
const FORWARDED = ['authorization', 'x-api-key'] as const;

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message?: unknown; path?: unknown; extensions?: Record<string, unknown> }[];
}

function toolError(error: NonNullable<GraphQLBody['errors']>[number]): ToolError {
  const extensions = error.extensions ?? {};
  const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
  return {
    code,
    message: typeof error.message === 'string' ? error.message : 'Unexpected error.',
    ...(Array.isArray(error.path) ? { path: error.path as (string | number)[] } : {}),
    ...(typeof extensions.service === 'string' ? { service: extensions.service } : {}),
    ...(Array.isArray(extensions.requiredScopes) ? { requiredScopes: extensions.requiredScopes as string[] } : {}),
    ...(typeof extensions.retryAfter === 'number' ? { retryAfter: extensions.retryAfter } : {}),
  };
}

/** A cross-system write reports a failure in its result (`status`, `error { code message step }`), not as a GraphQL error. */
function reportedFailures(data: Record<string, unknown> | null | undefined): ToolError[] {
  const failures: ToolError[] = [];
  for (const [field, value] of Object.entries(data ?? {})) {
    const error = (value as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (error && typeof error.code === 'string') {
      failures.push({ code: error.code, message: typeof error.message === 'string' ? error.message : error.code, path: [field] });
    }
  }
  return failures;
}

/** A tool result for an error found before anything was sent (unknown argument, refused document, missing scope). */
export function refusedResult(error: ToolError): ToolOutcome {
  const body = { errors: [error] };
  return {
    result: { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body },
    outcome: 'rejected',
    errorCode: error.code,
  };
}

function answerOf(status: number, body: GraphQLBody): ToolOutcome {
  const data = body.data ?? null;
  const errors = [...(body.errors ?? []).map(toolError), ...reportedFailures(data)];
  if (errors.length === 0) {
    return {
      result: { content: [{ type: 'text', text: JSON.stringify(data) }], ...(data ? { structuredContent: data } : {}) },
      outcome: 'succeeded',
      errorCode: null,
    };
  }
  const payload = { errors, ...(data ? { data } : {}) };
  // No `data` key at all: the request was refused before execution (401, 429, 400, trusted documents).
  const refused = status !== 200 || body.data === undefined;
  return {
    result: { isError: true, content: [{ type: 'text', text: JSON.stringify(payload) }], structuredContent: payload },
    outcome: refused ? 'rejected' : 'failed',
    errorCode: errors[0].code,
  };
}

/** Runs one operation as the caller of `caller` (an /mcp request), under its request id. */
export async function runOperation(
  fetch: GatewayFetch,
  caller: Request,
  requestId: string,
  operation: OperationRequest,
  logger: Logger,
): Promise<ToolOutcome> {
  const headers = new Headers({
    'content-type': 'application/json',
    accept: 'application/graphql-response+json',
    'x-request-id': requestId,
  });
  for (const name of FORWARDED) {
    const value = caller.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const body = {
    variables: operation.variables,
    ...(operation.hash ? { extensions: { persistedQuery: { version: 1, sha256Hash: operation.hash } } } : { query: operation.query }),
  };
  try {
    const response = await fetch(new Request(new URL('/graphql', caller.url), { method: 'POST', headers, body: JSON.stringify(body) }));
    const text = await response.text();
    let parsed: GraphQLBody;
    try {
      parsed = JSON.parse(text) as GraphQLBody;
    } catch {
      parsed = { errors: [{ message: `The gateway answered HTTP ${response.status}.`, extensions: { code: 'BAD_REQUEST' } }] };
    }
    return answerOf(response.status, parsed);
  } catch (error) {
    logger.error({ err: error, requestId }, 'an MCP tool call could not reach the GraphQL pipeline');
    return { ...refusedResult({ code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' }), outcome: 'failed' };
  }
}
