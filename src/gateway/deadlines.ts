/**
 * Each request's deadline (REQUEST_DEADLINE_MS), started when the context is first built
 * and released when the response is sent. A subscription lives as long as the client
 * listens: it gets no deadline of its own, only the client's signal.
 */
import { getOperationAST, parse } from 'graphql';
import { createRequestDeadline, type RequestDeadline } from '../upstream/deadline.ts';

export const requestDeadlines = new WeakMap<Request, RequestDeadline>();

type Params = { query?: unknown; operationName?: unknown } | undefined;

/** The signal a request's upstream calls carry: its deadline's, or for a subscription the client's own. */
export function requestSignal(request: Request, params: Params, deadlineMs: number): AbortSignal {
  return isSubscription(params) ? request.signal : deadlineOf(request, deadlineMs).signal;
}

function isSubscription(params: Params): boolean {
  const query = params?.query;
  // Most documents never mention the word; only those that do are parsed to be sure.
  if (typeof query !== 'string' || !/\bsubscription\b/.test(query)) return false;
  try {
    const name = typeof params?.operationName === 'string' ? params.operationName : undefined;
    return getOperationAST(parse(query), name)?.operation === 'subscription';
  } catch {
    return false;
  }
}

/** The request's deadline, started when it is first asked for (building the context). */
function deadlineOf(request: Request, ms: number): RequestDeadline {
  let deadline = requestDeadlines.get(request);
  if (!deadline) {
    deadline = createRequestDeadline(ms, request.signal);
    requestDeadlines.set(request, deadline);
  }
  return deadline;
}
