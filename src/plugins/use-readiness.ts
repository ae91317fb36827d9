/**
 * `GET /readiness`: whether this replica should get traffic, with each system's breaker
 * state, last upstream error and quota left. It answers 503 only while the process is
 * draining (SIGTERM): an upstream outage is reported, not turned into "not ready", because
 * every replica shares the same vendors and taking them all out of the load balancer
 * would turn one system's outage into a total one (the other systems still work).
 */
import type { Plugin } from 'graphql-yoga';
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

export function useReadiness(source: ReadinessSource): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== READINESS_PATH || request.method !== 'GET') return;
      const report = readinessReport(source);
      endResponse(
        new fetchAPI.Response(JSON.stringify(report), {
          status: report.status === 'ready' ? 200 : 503,
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
