/**
 * How a caller's request is sent: a read may join an identical read already in flight (see coalesce.ts); anything
 * else goes through the policies on its own.
 */
import { answeredByCallBegunAt, joinableSince } from '../cache/reads-begun.ts';
import { isGatewayError } from '../errors.ts';
import type { Coalescer } from './coalesce.ts';
import { callerCancelled } from './outcome.ts';
import type { ClientScope } from './scope.ts';
import type { UpstreamRequest, UpstreamResponse } from './types.ts';
import { buildBody, buildPath } from './wire.ts';
import { ATTR, SPAN, startSpan } from '../observability/spans.ts';

/** Reads are what may be coalesced; a write is never merged with another caller's. */
function coalesceKey(scope: ClientScope, request: UpstreamRequest): string | undefined {
  if (!request.idempotent) return undefined;
  const read = request.method === 'GET' || (request.method === 'POST' && /\/(batch\/read|search)$/.test(request.path));
  if (!read) return undefined;
  const { body } = buildBody(request);
  return `${request.method} ${buildPath(scope.basePath, request)} ${body ?? ''}`;
}

export async function send<T>(
  scope: ClientScope,
  coalescer: Coalescer | undefined,
  execute: (request: UpstreamRequest) => Promise<UpstreamResponse>,
  request: UpstreamRequest,
): Promise<UpstreamResponse<T>> {
  const key = coalescer ? coalesceKey(scope, request) : undefined;
  if (!key || !coalescer) return (await execute(request)) as UpstreamResponse<T>;
  const startedAt = performance.now();
  const joinedAt = Date.now();
  const { value, shared, begunAt } = await coalescer
    .run(
      key,
      request.signal,
      (signal) => execute({ ...request, signal }),
      () => callerCancelled(scope, request.signal!),
      joinableSince(),
    )
    .catch((error: unknown) => {
      reportJoined(scope, request, startedAt, isGatewayError(error) ? error.code : 'error');
      return Promise.reject(error);
    });
  if (shared) {
    answeredByCallBegunAt(begunAt);
    reportJoined(scope, request, startedAt, undefined, value.status);
    traceJoined(scope, request, joinedAt, value.status);
  }
  return value as UpstreamResponse<T>;
}

/**
 * A span for a read that joined another caller's call and sent nothing: recorded once it is known
 * to have joined (from when it asked), so the attempt spans stay one per call the vendor saw.
 */
function traceJoined(scope: ClientScope, request: UpstreamRequest, joinedAt: number, status: number) {
  const started = startSpan(SPAN.upstreamJoin, { startTime: joinedAt });
  if (!started) return;
  const { span } = started;
  if (span.isRecording()) {
    span.setAttributes({
      [ATTR.system]: scope.system,
      [ATTR.method]: request.method,
      [ATTR.route]: request.route,
      [ATTR.status]: status,
      [ATTR.coalesced]: true,
    });
  }
  span.end();
}

/** Tells a caller that joined another's call what it got, for its trace. */
function reportJoined(scope: ClientScope, request: UpstreamRequest, startedAt: number, errorCode?: string, status?: number) {
  if (!request.onAttempt) return;
  try {
    request.onAttempt({
      system: scope.system,
      route: request.route,
      method: request.method,
      status: status ?? 'error',
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
      attempt: 1,
      retried: false,
      coalesced: true,
      ...(errorCode ? { errorCode } : {}),
    });
  } catch {
    // A trace hook must not fail the call.
  }
}
