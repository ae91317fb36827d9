/**
 * Logs each upstream failure a client is told about — code, service, field path and the
 * safe message (which names the resource and the failing field for UPSTREAM_BAD_RESPONSE)
 * — under the request ID, so an operator can find why a field was null. Errors that pass
 * to the client are not logged elsewhere: maskError only logs unexpected ones.
 */
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../observability/logger.ts';

const UPSTREAM_CODES = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE', 'UPSTREAM_AUTH_FAILED', 'RATE_LIMITED']);

export function useUpstreamErrorLog(logger: Logger): Plugin<{ requestId?: string }> {
  return {
    onExecute({ args }) {
      const requestId = (args.contextValue as { requestId?: string }).requestId;
      return {
        onExecuteDone({ result }) {
          if (typeof result !== 'object' || result === null || Symbol.asyncIterator in result) return;
          for (const error of result.errors ?? []) {
            const code = error.extensions?.code;
            if (typeof code !== 'string' || !UPSTREAM_CODES.has(code)) continue;
            const level = code === 'UPSTREAM_BAD_RESPONSE' || code === 'UPSTREAM_AUTH_FAILED' ? 'error' : 'warn';
            logger[level]({ requestId, code, service: error.extensions?.service, path: error.path?.join('.'), message: error.message }, 'upstream failure reached a client');
          }
        },
      };
    },
  };
}
