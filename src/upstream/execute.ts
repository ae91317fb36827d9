/** One call through the policies: the call's deadline, the attempts, and the error the caller sees. */
import { isGatewayError } from '../errors.ts';
import { raceAbort } from './abort.ts';
import { attemptOnce } from './attempt.ts';
import { createCallDeadline } from './deadline.ts';
import { AttemptFailure } from './failure.ts';
import { callerCancelled, isFastFailure, toCallerError, unavailable } from './outcome.ts';
import type { AttemptPolicies } from './policy.ts';
import { recordLastError, type ClientScope } from './scope.ts';
import type { UpstreamRequest, UpstreamResponse } from './types.ts';

export async function execute(scope: ClientScope, policies: AttemptPolicies, caller: UpstreamRequest): Promise<UpstreamResponse> {
  if (caller.signal?.aborted) throw callerCancelled(scope, caller.signal);
  const deadline = createCallDeadline(caller.signal, scope.label);
  try {
    return await executeWithin(scope, policies, deadline ? { ...caller, signal: deadline.signal } : caller);
  } finally {
    deadline?.dispose();
  }
}

async function executeWithin(
  scope: ClientScope,
  { policy, reopensInMs }: AttemptPolicies,
  request: UpstreamRequest,
): Promise<UpstreamResponse> {
  let attempt = 0;
  // A write retried after an attempt that may have reached the vendor stays "maybe applied", whatever the last attempt met.
  let sent = false;
  const once = (signal: AbortSignal) =>
    attemptOnce(scope, request, ++attempt, signal).catch((error: unknown) => {
      if (error instanceof AttemptFailure && error.error.sent) sent = true;
      throw error;
    });
  const execution = policy
    .execute(({ signal }) => once(signal), request.signal)
    .catch((error: unknown) => {
      let callerError = toCallerError(scope, error, reopensInMs());
      if (sent && isGatewayError(callerError) && callerError.code === 'UPSTREAM_UNAVAILABLE' && !callerError.sent) {
        callerError = unavailable(scope, callerError, callerError.upstreamStatus, true);
      }
      // Attempts record their own failures; these never reached an attempt.
      if (isFastFailure(error) && isGatewayError(callerError)) recordLastError(scope, callerError.code, callerError.message, request.route);
      return Promise.reject(callerError);
    });
  // Settles as soon as the caller aborts, even while cockatiel sleeps between attempts (its
  // backoff delay cannot be interrupted); the abandoned execution ends at its next attempt.
  return await raceAbort(execution, request.signal, () => callerCancelled(scope, request.signal!));
}
