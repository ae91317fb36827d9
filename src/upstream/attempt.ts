/**
 * One attempt at the vendor: quota taken, the HTTP exchange through the pool, the body read and parsed, the outcome
 * settled, and the attempt reported (debug log, metrics hook, the request's own trace hook).
 */
import type { Dispatcher } from 'undici';
import { GatewayError, isGatewayError } from '../errors.ts';
import { remainingMs } from './deadline.ts';
import { AttemptFailure, jitteredBackoffMs } from './failure.ts';
import { callerCancelled, classifyThrown, settle } from './outcome.ts';
import { recordLastError, type ClientScope } from './scope.ts';
import type { UpstreamAttemptEvent, UpstreamRequest, UpstreamResponse } from './types.ts';
import { buildBody, buildPath, errorCodeOf, lowerKeys, normalizeHeaders } from './wire.ts';
import { ATTR, inSpan, SPAN, type Span, SpanKind, traceHeaders } from '../observability/spans.ts';

export async function attemptOnce(
  scope: ClientScope,
  request: UpstreamRequest,
  attempt: number,
  signal: AbortSignal,
): Promise<UpstreamResponse> {
  // A retry scheduled before the caller gave up must not reach the network.
  if (request.signal?.aborted) throw callerCancelled(scope, request.signal);
  // One span per attempt (when the request is traced), its budget wait included; the route
  // template, never the path: paths and query strings carry ids and emails.
  return inSpan(
    SPAN.upstreamAttempt,
    { kind: SpanKind.CLIENT },
    (span) => budgetedAttempt(scope, request, attempt, signal, span),
    () => ({
      [ATTR.system]: scope.system,
      [ATTR.method]: request.method,
      [ATTR.route]: request.route,
      [ATTR.attempt]: attempt,
      [ATTR.resendCount]: attempt - 1,
      [ATTR.coalesced]: false,
    }),
  );
}

async function budgetedAttempt(
  scope: ClientScope,
  request: UpstreamRequest,
  attempt: number,
  signal: AbortSignal,
  span: Span | undefined,
): Promise<UpstreamResponse> {
  const waitStartedAt = span ? performance.now() : 0;
  // Quota is spent per attempt: every attempt is a call the vendor counts. The slot is
  // held until the answer is in: the vendor counted the call somewhere in between.
  const release = await scope.budget?.acquire(request.route, request.signal);
  if (span?.isRecording()) span.setAttribute(ATTR.budgetWaitMs, Math.round((performance.now() - waitStartedAt) * 10) / 10);
  try {
    return await sendOnce(scope, request, attempt, signal, span);
  } finally {
    release?.();
  }
}

async function sendOnce(
  scope: ClientScope,
  request: UpstreamRequest,
  attempt: number,
  signal: AbortSignal,
  span: Span | undefined,
): Promise<UpstreamResponse> {
  const { body, contentType } = buildBody(request);
  const headers: Record<string, string> = {
    ...scope.fixedHeaders,
    ...(contentType ? { 'content-type': contentType } : {}),
    ...lowerKeys(request.headers),
    ...traceHeaders(span),
    // Last, so no caller header can replace the configured credential.
    ...lowerKeys(scope.profile.authHeaders(scope.credential)),
  };
  const startedAt = performance.now();
  let status: number | 'error' = 'error';
  let errorCode: string | undefined;
  try {
    const res = await scope.pool.request({ path: buildPath(scope.basePath, request), method: request.method, headers, body, signal });
    status = res.statusCode;
    const text = await readBody(scope, request, res, signal);
    const remaining = scope.rateLimitRemainingHeader && res.headers[scope.rateLimitRemainingHeader];
    if (typeof remaining === 'string') scope.budget?.observe(request.route, { remaining: Number(remaining) });
    const { parsedBody, parsed } = parseJson(text);
    return settle(scope, request, { status: res.statusCode, headers: normalizeHeaders(res.headers), body: parsedBody }, parsed);
  } catch (error) {
    const mapped = classifyThrown(scope, request, error, signal);
    errorCode = mapped instanceof AttemptFailure ? mapped.error.code : isGatewayError(mapped) ? mapped.code : errorCodeOf(error);
    if (mapped instanceof AttemptFailure && mapped.retryable) {
      // Decide the wait now, while the deadline is known: a retry that could only start
      // after the caller has given up is not a retry worth waiting for.
      const waitMs = mapped.waitMs ?? jitteredBackoffMs(attempt);
      if (waitMs >= remainingMs(request.signal)) throw mapped.error;
      mapped.waitMs = waitMs;
    }
    throw mapped;
  } finally {
    if (span?.isRecording() && status !== 'error') span.setAttribute(ATTR.status, status);
    report(scope, request, attempt, status, startedAt, errorCode);
  }
}

function parseJson(text: string): { parsedBody: unknown; parsed: boolean } {
  if (text.trim() === '') return { parsedBody: null, parsed: true };
  try {
    return { parsedBody: JSON.parse(text), parsed: true };
  } catch {
    // The text may be an HTML error page or echo the request; it never goes further.
    return { parsedBody: null, parsed: false };
  }
}

/**
 * A 2xx whose body breaks off (connection closed before Content-Length was reached) is a
 * malformed answer, not an outage: UPSTREAM_BAD_RESPONSE, retried for reads (the next
 * answer may be whole) but not counted against the breaker.
 */
async function readBody(scope: ClientScope, request: UpstreamRequest, res: Dispatcher.ResponseData, signal: AbortSignal): Promise<string> {
  try {
    return await res.body.text();
  } catch (error) {
    if (signal.aborted || request.signal?.aborted || res.statusCode < 200 || res.statusCode >= 300) throw error;
    const truncated = new GatewayError('UPSTREAM_BAD_RESPONSE', `${scope.label} answered with an incomplete body`, {
      service: scope.system,
      upstreamStatus: res.statusCode,
      cause: error,
    });
    scope.logger?.warn(
      {
        system: scope.system,
        route: request.route,
        status: res.statusCode,
        err: errorCodeOf(error),
        requestId: request.headers?.['x-request-id'],
      },
      'upstream body ended early',
    );
    throw new AttemptFailure(truncated, request.idempotent, false);
  }
}

function report(
  scope: ClientScope,
  request: UpstreamRequest,
  attempt: number,
  status: number | 'error',
  startedAt: number,
  errorCode?: string,
) {
  const { system, logger } = scope;
  const durationMs = Math.round((performance.now() - startedAt) * 10) / 10;
  const requestId = request.headers?.['x-request-id'];
  const event: UpstreamAttemptEvent = {
    system,
    route: request.route,
    method: request.method,
    status,
    durationMs,
    attempt,
    retried: attempt > 1,
    ...(errorCode ? { errorCode } : {}),
    ...(requestId ? { requestId } : {}),
  };
  if (errorCode && errorCode !== 'CLIENT_CLOSED_REQUEST') recordLastError(scope, errorCode, `${request.route} failed`, request.route);
  logger?.debug(event, 'upstream attempt');
  for (const hook of [scope.onResponse, request.onAttempt]) {
    try {
      hook?.(event);
    } catch (hookError) {
      logger?.warn({ system, err: hookError }, 'upstream attempt hook threw');
    }
  }
}
