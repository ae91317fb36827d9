/**
 * `@defer` and `@stream` (Yoga's plugin: the directives and their validation; Yoga's executor
 * does the rest). A result in parts goes out as `multipart/mixed` or `text/event-stream`; a
 * client that accepts neither gets the whole result in one response, executed as if the
 * directives were not there (the incremental-delivery proposal lets a server ignore them),
 * rather than Yoga's bare 406.
 */
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { Kind, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const READS_PARTS = /multipart\/mixed|text\/event-stream/i;
const INCREMENTAL = new Set(['defer', 'stream']);

/** The document without `@defer` and `@stream`, or the same one when it has neither. */
function withoutIncremental(document: DocumentNode): DocumentNode {
  let found = false;
  const stripped = visit(document, {
    [Kind.DIRECTIVE]: (node) => {
      if (!INCREMENTAL.has(node.name.value)) return undefined;
      found = true;
      return null;
    },
  });
  return found ? stripped : document;
}

export function useIncrementalDelivery(): Plugin<Record<string, unknown>> {
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(useDeferStream());
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (!request || READS_PARTS.test(request.headers.get('accept') ?? '')) return;
      setExecuteFn((execution) => executeFn({ ...execution, document: withoutIncremental(execution.document) }));
    },
  };
}
