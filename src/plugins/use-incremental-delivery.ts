/**
 * `@defer` (and `@stream`, accepted and ignored: lists come whole, as the incremental-delivery
 * proposal allows). Yoga's plugin declares the directives and validates them; the deferral
 * itself is the gateway's (src/gateway/defer-plan.ts), never stitching's. A query with
 * `@defer`, from a client that reads `multipart/mixed` or `text/event-stream`, answers in two
 * parts: everything outside its deferred fragments, then all of them. A mutation, or a client
 * that reads neither format, gets one whole answer.
 */
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { getOperationAST, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { deferredItems, dropPlaceholders, incrementalIn, withoutDeferred, withoutIncremental } from '../gateway/defer-plan.ts';
import { flattenFragments } from '../gateway/flatten-fragments.ts';
import { isAsyncIterable } from '../gateway/streams.ts';

const READS_PARTS = /multipart\/mixed|text\/event-stream/i;
/** Only a query whose text names the directives is looked at further. */
const NAMES_INCREMENTAL = /@(defer|stream)\b/;

type Json = Record<string, unknown>;

export function useIncrementalDelivery(): Plugin<Record<string, unknown>> {
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(useDeferStream());
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const { request, params } = args.contextValue as { request?: Request; params?: { query?: unknown } };
      if (typeof params?.query === 'string' && !NAMES_INCREMENTAL.test(params.query)) return;
      const uses = incrementalIn(args.document);
      if (!uses.defer && !uses.stream) return;
      const operation = getOperationAST(args.document, args.operationName);
      const inParts = !!request && READS_PARTS.test(request.headers.get('accept') ?? '') && operation?.operation === 'query' && uses.defer;
      if (!inParts || !operation) {
        setExecuteFn((execution) => executeFn({ ...execution, document: withoutIncremental(execution.document) }));
        return;
      }
      setExecuteFn(async (execution) => {
        // One context for both: the request's loaders and in-flight reads serve the two alike.
        const full = Promise.resolve(executeFn({ ...execution, document: flattenFragments(withoutIncremental(execution.document)) }));
        const first = await executeFn({ ...execution, document: withoutDeferred(execution.document) });
        if (isAsyncIterable(first) || !first.data) {
          // No first part to add to: the answer is this one, whatever the other execution does.
          full.catch(() => undefined);
          return first;
        }
        dropPlaceholders(first.data);
        const data = first.data as Json;
        return (async function* () {
          yield { ...first, hasNext: true };
          const whole = (await full.catch((error: unknown) => ({ errors: [error] }))) as ExecutionResult;
          yield { incremental: deferredItems(execution.document, operation.selectionSet, data, whole), hasNext: false };
        })();
      });
    },
  };
}
