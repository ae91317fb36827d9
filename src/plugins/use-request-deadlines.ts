/**
 * Ends each request's deadline (src/gateway/deadlines.ts) with its response, or, for a
 * result that goes out in parts (`@defer`, `@stream`), with its last part: the response
 * starts with the first part, and the deadline, and the client's leaving, must still bound
 * the parts to come.
 */
import type { Plugin } from 'graphql-yoga';
import { requestDeadlines } from '../gateway/deadlines.ts';
import { isAsyncIterable } from '../gateway/streams.ts';

export function useRequestDeadlines(): Plugin {
  const streaming = new WeakSet<Request>();
  return {
    onExecute: () => ({
      onExecuteDone({ args, result }) {
        const request = (args.contextValue as { request?: Request }).request;
        if (!request || !isAsyncIterable(result)) return;
        streaming.add(request);
        return { onEnd: () => requestDeadlines.get(request)?.dispose() };
      },
    }),
    onResponse({ request }) {
      if (!streaming.has(request)) requestDeadlines.get(request)?.dispose();
    },
  };
}
