/**
 * `GET /readiness`: whether this replica should get traffic, with each system's breaker
 * state, last upstream error and quota left. It answers 503 only while the process is
 * draining (SIGTERM): an upstream outage is reported, not turned into "not ready", because
 * every replica shares the same vendors and taking them all out of the load balancer
 * would turn one system's outage into a total one (the other systems still work).
 */
import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { SystemName } from '../errors.ts';
import type { ResilientUpstreamClient } from '../upstream/client.ts';

export const READINESS_PATH = '/readiness';

export interface ReadinessSource {
  draining(): boolean;
  upstream: Record<SystemName, ResilientUpstreamClient>;
}

export function readinessReport(source: ReadinessSource) {
  const systems = Object.fromEntries(
    Object.entries(source.upstream).map(([system, client]) => [
      system,
      {
        breaker: client.breakerState,
        lastError: client.lastError ?? null,
        budgetLeft: client.budget?.enabled ? client.budget.left() : null,
      },
    ]),
  );
  return { status: source.draining() ? 'draining' : 'ready', systems };
}

/**
 * Yoga's readiness plugin answers whatever `check` returns; ours returns the report. Yoga's
 * plugin answers every method, and any URL that merely ends in the path (`/x/readiness`, a
 * GraphQL GET whose query string ends so): only a GET of the path itself reaches it, as before;
 * every other request goes on as any other (a POST to the path is Yoga's 404).
 */
export function useReadiness(source: ReadinessSource): Plugin {
  const yogaCheck = useReadinessCheck({
    endpoint: READINESS_PATH,
    check: ({ fetchAPI }) => {
      const report = readinessReport(source);
      return new fetchAPI.Response(JSON.stringify(report), {
        status: report.status === 'ready' ? 200 : 503,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      });
    },
  });
  return {
    ...yogaCheck,
    onRequest(payload) {
      if (payload.url.pathname === READINESS_PATH && payload.request.method === 'GET') return yogaCheck.onRequest?.(payload);
    },
  };
}
