/**
 * The `graphql.operation` span: one per GraphQL operation, around everything Yoga does for it
 * (parameters, parse, validate, context, execute), with the operation's name, type and document
 * hash, marked an error when the result carries errors. The span's context carries the gateway's
 * tracing, so delegations, loader batches and upstream attempts below it become its descendants
 * (observability/spans.ts).
 *
 * W3C trace context: a client's `traceparent`/`tracestate` is continued (the operation span is a
 * child of the client's span, in its trace, honouring its sampled flag); without one, a trace
 * starts here. Only registered when tracing is on: with it off, a client's `traceparent` is not
 * passed on to the vendors either — the gateway takes no part in the trace, and a client's trace
 * ids are not handed to third parties unless the operator turned tracing on.
 *
 * A request that asked for the cost trace (`x-switchboard-trace: 1`) gets the trace id in
 * `extensions.trace.traceId`, to find the spans of the request in the trace backend.
 */
import { createHash } from 'node:crypto';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, type TextMapGetter, trace } from '@opentelemetry/api';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { RequestTrace } from '../observability/trace.ts';
import { activeSpan, ATTR, failSpan, SPAN, withTracing } from '../observability/spans.ts';
import type { Tracing } from '../observability/tracing.ts';

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

interface TracedContext {
  trace?: RequestTrace;
  requestId?: string;
}

export function useTracing(tracing: Tracing): Plugin<TracedContext> {
  return {
    instrumentation: {
      async operation({ request }, wrapped) {
        const parent = tracing.propagator.extract(ROOT_CONTEXT, request.headers, headerGetter);
        const span = tracing.tracer.startSpan(SPAN.operation, { kind: SpanKind.SERVER }, parent);
        try {
          await context.with(withTracing(trace.setSpan(parent, span), tracing), wrapped);
        } catch (error) {
          failSpan(span, error);
          throw error;
        } finally {
          span.end();
        }
      },
    },
    onExecute({ args }) {
      const span = activeSpan();
      if (!span) return;
      const contextValue = args.contextValue as TracedContext & { params?: { query?: unknown } };
      if (contextValue.trace) contextValue.trace.traceId = span.spanContext().traceId;
      if (!span.isRecording()) return;
      const operation = getOperationAST(args.document, args.operationName);
      const query = contextValue.params?.query;
      span.setAttributes({
        [ATTR.operationType]: operation?.operation ?? 'unknown',
        ...(operation?.name ? { [ATTR.operationName]: operation.name.value } : {}),
        ...(typeof query === 'string' ? { [ATTR.documentHash]: createHash('sha256').update(query).digest('hex') } : {}),
        ...(contextValue.requestId ? { [ATTR.requestId]: contextValue.requestId } : {}),
      });
    },
    onExecutionResult({ result }) {
      const span = activeSpan();
      if (!span?.isRecording() || !result || Symbol.asyncIterator in result) return;
      const errors = Array.isArray(result) ? result.flatMap((part) => part.errors ?? []) : (result.errors ?? []);
      if (errors.length === 0) return;
      const code = errors[0]?.extensions?.code;
      span.setAttributes({ [ATTR.errorCount]: errors.length, ...(typeof code === 'string' ? { [ATTR.errorType]: code } : {}) });
      span.setStatus({ code: SpanStatusCode.ERROR, ...(typeof code === 'string' ? { message: code } : {}) });
    },
  };
}
