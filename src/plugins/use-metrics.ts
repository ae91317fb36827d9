/**
 * Serves Prometheus metrics at `GET /metrics` and times every GraphQL execution by
 * operation name. Upstream and cache figures are fed by the gateway (see metrics.ts).
 */
import { isAsyncIterable } from '../gateway/streams.ts';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../observability/metrics.ts';

export const METRICS_PATH = '/metrics';

export function useMetrics(metrics: GatewayMetrics): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== METRICS_PATH || request.method !== 'GET') return;
      const body = await metrics.registry.metrics();
      endResponse(new fetchAPI.Response(body, { status: 200, headers: { 'content-type': metrics.registry.contentType } }));
    },
    onExecute({ args }) {
      const startedAt = performance.now();
      const operation = getOperationAST(args.document, args.operationName)?.name?.value ?? args.operationName ?? undefined;
      return {
        onExecuteDone({ result }) {
          const seconds = (performance.now() - startedAt) / 1000;
          // A stream's errors arrive later; it counts as started fine.
          const failed = !isAsyncIterable(result) && (result.errors?.length ?? 0) > 0;
          metrics.observeOperation(operation, seconds, failed ? 'error' : 'ok');
        },
      };
    },
  };
}
