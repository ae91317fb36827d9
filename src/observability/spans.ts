/**
 * The instrumentation points' side of tracing (see tracing.ts). A request is traced when its
 * operation span's context carries the gateway's `Tracing` (`withTracing`); every helper here
 * starts a child of the active span only then, and otherwise costs one context lookup: with
 * tracing off no context manager is registered, the active context is always the empty root
 * context, and nothing is allocated.
 *
 * Span names are fixed (a trace backend groups by name); what varies goes into attributes:
 * - `graphql.operation`  one per GraphQL operation (use-tracing.ts)
 * - `graphql.delegate`   one per delegation to a subschema (subschema-executor.ts)
 * - `loader.batch`       one per DataLoader batch (cache/cached-loader.ts, traced-batch.ts)
 * - `upstream.attempt`   one per HTTP attempt at a vendor (upstream/attempt.ts)
 * - `upstream.join`      a read that joined an identical call in flight, and sent nothing (upstream/send.ts)
 */
import {
  type Attributes,
  type Context,
  context,
  createContextKey,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { isGatewayError } from '../errors.ts';
import type { Tracing } from './tracing.ts';

export { SpanKind, type Span };

export const SPAN = {
  operation: 'graphql.operation',
  delegate: 'graphql.delegate',
  loaderBatch: 'loader.batch',
  upstreamAttempt: 'upstream.attempt',
  upstreamJoin: 'upstream.join',
} as const;

/** Attribute names: OpenTelemetry's semantic conventions where one fits, `switchboard.*` otherwise. */
export const ATTR = {
  system: 'switchboard.system',
  requestId: 'switchboard.request_id',
  operationName: 'graphql.operation.name',
  operationType: 'graphql.operation.type',
  documentHash: 'graphql.document.hash',
  errorCount: 'graphql.error.count',
  resource: 'switchboard.loader.resource',
  batchSize: 'switchboard.loader.batch_size',
  cacheHits: 'switchboard.cache.hits',
  cacheMisses: 'switchboard.cache.misses',
  joinedEarlierCall: 'switchboard.loader.joined_earlier_call',
  refetched: 'switchboard.loader.refetched',
  method: 'http.request.method',
  route: 'url.template',
  status: 'http.response.status_code',
  resendCount: 'http.request.resend_count',
  attempt: 'switchboard.upstream.attempt',
  coalesced: 'switchboard.upstream.coalesced',
  budgetWaitMs: 'switchboard.budget.wait_ms',
  errorType: 'error.type',
} as const;

const TRACING = createContextKey('switchboard.tracing');

/** `parent` with this gateway's tracing in it: spans started below it are exported by `tracing`. */
export function withTracing(parent: Context, tracing: Tracing): Context {
  return parent.setValue(TRACING, tracing);
}

function tracingOf(ctx: Context): Tracing | undefined {
  return ctx.getValue(TRACING) as Tracing | undefined;
}

export interface StartedSpan {
  span: Span;
  /** The active context with `span` as its span: run the span's work in it. */
  context: Context;
}

/** A child of the active span, when the active request is traced; undefined (nothing done) otherwise. */
export function startSpan(name: string, options: SpanOptions = {}): StartedSpan | undefined {
  const parent = context.active();
  const tracing = tracingOf(parent);
  if (!tracing) return undefined;
  const span = tracing.tracer.startSpan(name, options, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Runs `work` in a child span of the active one (when traced), ending the span when the work
 * settles; a failure marks it an error with the failure's code. `annotate` is called only when
 * the span records, so attribute objects are not built for nothing.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span | undefined) => Promise<T>,
  annotate?: () => Attributes,
): Promise<T> {
  const started = startSpan(name, options);
  if (!started) return work(undefined);
  const { span } = started;
  if (annotate && span.isRecording()) span.setAttributes(annotate());
  try {
    return await context.with(started.context, () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed, with the error's stable code (never its message: it may echo input). */
export function failSpan(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const code = codeOf(error);
  span.setAttribute(ATTR.errorType, code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

function codeOf(error: unknown): string {
  if (isGatewayError(error)) return error.code;
  // A failed upstream attempt carries the error its caller will see.
  const inner = (error as { error?: unknown } | null | undefined)?.error;
  if (isGatewayError(inner)) return inner.code;
  return error instanceof Error ? error.name : 'Error';
}

/** The active span, when the active request is traced. */
export function activeSpan(): Span | undefined {
  const active = context.active();
  return tracingOf(active) ? trace.getSpan(active) : undefined;
}

/**
 * `traceparent` (and `tracestate`) naming `span` as the parent, for an upstream request. Empty
 * when the request is not traced: the gateway never invents a trace context, and it does not
 * pass a client's on to a vendor unless it takes part in the trace (see use-tracing.ts).
 */
export function traceHeaders(span: Span | undefined): Record<string, string> {
  const tracing = span && tracingOf(context.active());
  if (!span || !tracing) return {};
  const carrier: Record<string, string> = {};
  tracing.propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier;
}

export { SpanStatusCode };
