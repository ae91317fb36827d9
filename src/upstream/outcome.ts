/**
 * What one attempt's outcome means for the caller: an HTTP response settled into a result, a final error or a
 * retryable failure; a thrown error classified the same way; and the errors callers see for cancellation and for
 * calls the policies refused.
 */
import { BrokenCircuitError, BulkheadRejectedError, IsolatedCircuitError } from 'cockatiel';
import { GatewayError, isGatewayError } from '../errors.ts';
import { remainingMs } from './deadline.ts';
import { AttemptFailure, MAX_RETRY_WAIT_MS, toSeconds, withDetails } from './failure.ts';
import type { ClientScope } from './scope.ts';
import type { UpstreamRequest, UpstreamResponse } from './types.ts';
import { apiVersionMismatch } from './version.ts';
import { errorCodeOf, NOT_SENT_CODES, USAGE_CODES } from './wire.ts';

export function unavailable(scope: ClientScope, cause: unknown, upstreamStatus?: number, sent?: boolean): GatewayError {
  return new GatewayError('UPSTREAM_UNAVAILABLE', `${scope.label} is unavailable`, { service: scope.system, cause, upstreamStatus, sent });
}

export function callerCancelled(scope: ClientScope, signal: AbortSignal): GatewayError {
  const { label, system } = scope;
  // The context sets a GatewayError as the reason when its request deadline passes.
  if (isGatewayError(signal.reason)) return withDetails(signal.reason, system);
  if ((signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError') {
    return new GatewayError('UPSTREAM_TIMEOUT', `${label} did not answer before the request deadline`, { service: system });
  }
  // Any other abort is the caller going away (the client closed its connection): neither a
  // timeout nor the vendor's fault, so it trips nothing and is not reported as an outage.
  return new GatewayError('CLIENT_CLOSED_REQUEST', `The client closed the request before ${label} answered`, { service: system });
}

/** Decides what one HTTP response means: a result, a final error, or a retryable failure. */
export function settle(scope: ClientScope, request: UpstreamRequest, response: UpstreamResponse, parsed: boolean): UpstreamResponse {
  const { profile, system, label, budget } = scope;
  const { status } = response;
  if (status >= 200 && status < 300) {
    if (!parsed) {
      throw new GatewayError('UPSTREAM_BAD_RESPONSE', `${label} answered with a body that is not JSON`, {
        service: system,
        upstreamStatus: status,
      });
    }
    const misversioned = apiVersionMismatch(scope, request, response);
    if (misversioned) throw misversioned;
    // Slack reports failures as 200 + `ok:false`, so a 2xx is not proof of success.
    const error = profile.classify(response, request);
    if (error) throw withDetails(error, system);
    return response;
  }

  const classified = profile.classify(response, request);
  if (status !== 429 && status < 500) {
    if (classified) throw withDetails(classified, system);
    return response;
  }

  const waitMs = profile.retryAfterMs?.(response);
  let error: GatewayError;
  if (status === 429) {
    const base =
      classified?.code === 'RATE_LIMITED'
        ? classified
        : new GatewayError('RATE_LIMITED', `${label} rate limit reached`, { service: system, upstreamStatus: status });
    // No wait hint (Stripe, HubSpot without policy headers): 1 s is the honest minimum.
    error = withDetails(base, system, waitMs === undefined ? (base.retryAfter ?? 1) : toSeconds(waitMs));
  } else if (classified) {
    error = withDetails(classified, system, waitMs === undefined ? undefined : toSeconds(waitMs));
  } else {
    return response;
  }

  if (waitMs !== undefined) budget?.observe(request.route, { blockMs: waitMs });
  if (waitMs !== undefined && (waitMs > MAX_RETRY_WAIT_MS || waitMs >= remainingMs(request.signal))) throw error;
  const retryable = profile.shouldRetry?.(response) ?? (status === 429 || request.idempotent);
  throw new AttemptFailure(error, retryable, status >= 500, waitMs === undefined ? undefined : Math.max(0, waitMs));
}

export function classifyThrown(scope: ClientScope, request: UpstreamRequest, error: unknown, attemptSignal: AbortSignal): unknown {
  const { label, system } = scope;
  if (error instanceof AttemptFailure || isGatewayError(error)) return error;
  if (request.signal?.aborted) return callerCancelled(scope, request.signal);
  if (attemptSignal.aborted) {
    const timedOut = new GatewayError('UPSTREAM_TIMEOUT', `${label} did not answer within ${scope.timeoutMs} ms`, {
      service: system,
      cause: error,
    });
    return new AttemptFailure(timedOut, request.idempotent, true);
  }
  const code = errorCodeOf(error);
  if (code === undefined || USAGE_CODES.has(code)) return error;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const timedOut = new GatewayError('UPSTREAM_TIMEOUT', `${label} did not answer in time`, { service: system, cause: error });
    return new AttemptFailure(timedOut, request.idempotent, true);
  }
  const notSent = NOT_SENT_CODES.has(code);
  // A write whose connection broke after it was sent (reset, closed) may have been applied.
  const sent = !notSent && request.method !== 'GET' && request.read !== true;
  return new AttemptFailure(unavailable(scope, error, undefined, sent), request.idempotent || notSent, true);
}

/** Failures the policies decided before any attempt ran: an open breaker, a full bulkhead. */
export function isFastFailure(error: unknown): boolean {
  return error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError || error instanceof BulkheadRejectedError;
}

/** `reopensInMs`: how long until the breaker's trial call, when it is open (it says when to come back). */
export function toCallerError(scope: ClientScope, error: unknown, reopensInMs = 0): unknown {
  if (error instanceof AttemptFailure) return error.error;
  if (error instanceof IsolatedCircuitError) return unavailable(scope, error);
  if (error instanceof BrokenCircuitError) return withDetails(unavailable(scope, error), scope.system, toSeconds(reopensInMs));
  if (error instanceof BulkheadRejectedError) {
    return new GatewayError('UPSTREAM_UNAVAILABLE', `${scope.label} has too many calls in flight`, { service: scope.system, cause: error });
  }
  return error;
}
