/**
 * The API-version check on every 2xx answer, for vendors whose profile declares one (Stripe).
 * An answer rendered in a version the connector was not written for is refused before
 * anything parses it: a field that moved between versions would read as absent, and the
 * connector would serve wrong data (an invoice without its subscription) instead of an error.
 *
 * An answer that names no version is accepted: proxies strip headers, and the response
 * schemas still check the shape of every field the connector reads.
 *
 * A refused answer is UPSTREAM_BAD_RESPONSE, not retried (the same account answers the same
 * way) and not counted against the breaker (the vendor is up). A write's refused answer
 * still means the write was applied: the error says so (`writeApplied`), so that nobody sends
 * it again.
 */
import { GatewayError } from '../errors.ts';
import type { ClientScope } from './scope.ts';
import type { UpstreamRequest, UpstreamResponse } from './types.ts';

/** What a version looks like when it is shown (a header is the vendor's to fill; anything else is not echoed). */
const SHOWABLE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

export function apiVersionMismatch(scope: ClientScope, request: UpstreamRequest, response: UpstreamResponse): GatewayError | null {
  const contract = scope.profile.apiVersion;
  if (!contract) return null;
  const received = contract.received(response);
  if (received === undefined || received === contract.expected) return null;
  const { system, label } = scope;
  const shown = SHOWABLE_VERSION.test(received) ? received : '(unreadable)';
  const applied = request.method !== 'GET' && request.read !== true;
  scope.logger?.warn(
    {
      system,
      route: request.route,
      status: response.status,
      receivedVersion: shown,
      expectedVersion: contract.expected,
      requestId: request.headers?.['x-request-id'],
      ...(applied ? { writeApplied: true } : {}),
    },
    `upstream answered in API version ${shown}, expected ${contract.expected}: answer refused`,
  );
  const message = `${label} answered in API version ${shown}, but the connector speaks ${contract.expected}`;
  return new GatewayError('UPSTREAM_BAD_RESPONSE', applied ? `${message} (the write was applied)` : message, {
    service: system,
    upstreamStatus: response.status,
    writeApplied: applied,
  });
}
