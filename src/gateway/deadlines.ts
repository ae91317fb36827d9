/**
 * Each request's deadline (REQUEST_DEADLINE_MS), started when the context is first built
 * and released when the response is sent. A subscription lives as long as the client
 * listens: it gets no deadline of its own, only the client's signal.
 *
 * A client that goes away cancels its queries, but not a mutation that has started: its
 * writes are under way at the vendors, and cancelling them midway would leave a half-done
 * business action (a deal won with no invoice, an invoice created after its run gave up)
 * for a client that may never come back to settle it. So once a mutation is admitted, its
 * deadline alone can stop it, and it finishes, is published and is audited as if the client
 * had waited.
 */
import { getOperationAST, parse, type ExecutionArgs } from 'graphql';
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

/** Called as an operation starts executing: a mutation no longer ends when its client leaves. */
export function outliveClientIfMutation(args: ExecutionArgs): void {
  if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
  const request = (args.contextValue as { request?: Request } | undefined)?.request;
  if (request) requestDeadlines.get(request)?.detach();
}
