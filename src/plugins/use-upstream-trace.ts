/**
 * Adds `extensions.trace` (see observability/trace.ts) to the result of a request that
 * asked for it with `x-switchboard-trace: 1`. The context carries the trace only then.
 */
import { isAsyncIterable } from '../gateway/streams.ts';
import type { Plugin } from 'graphql-yoga';
import type { SystemName } from '../errors.ts';
import type { RequestTrace } from '../observability/trace.ts';

export interface TraceSource {
  budgetLeft(system: SystemName): Record<string, number> | undefined;
}

export function useUpstreamTrace(source: TraceSource): Plugin<{ trace?: RequestTrace }> {
  return {
    onExecute({ args }) {
      const trace = (args.contextValue as { trace?: RequestTrace }).trace;
      if (!trace) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          setResult({ ...result, extensions: { ...result.extensions, trace: trace.report(source.budgetLeft) } });
        },
      };
    },
  };
}
