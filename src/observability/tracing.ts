/**
 * OpenTelemetry traces, exported over OTLP/HTTP (JSON) to `${OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`.
 *
 * Off unless the endpoint is configured: then `startTracing` returns undefined, the SDK is not
 * even loaded (it is required lazily below), no provider or context manager is registered, and
 * every instrumentation point (spans.ts) finds no tracing in the active context and does nothing.
 *
 * On: one tracer provider per gateway, with a batch span processor, closed (flushed) by
 * `Gateway.close`. The provider is deliberately NOT registered as the process-global one: a process
 * may hold several gateways (replicas in tests), each closing on its own, and the global API takes
 * one registration per process. Instead the operation span's context carries this gateway's tracer
 * (spans.ts), so every span of a request goes to the provider of the gateway that served it.
 *
 * What must be process-global is the context manager, so context flows through async code:
 * AsyncLocalStorageContextManager, registered by the first gateway that traces and removed when the
 * last one closes. Were @opentelemetry/context-async-hooks (a dependency of sdk-trace-node) ever
 * not resolvable, the provider registers itself instead (NodeTracerProvider.register sets one up),
 * and is then the process-global provider.
 *
 * The exporter also reads the standard OTEL_EXPORTER_OTLP_HEADERS (a collector's credentials), and
 * the batch processor OTEL_BSP_* (queue size, delay), from the environment, as the SDK documents.
 */
import { createRequire } from 'node:module';
import { context, diag, DiagLogLevel, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import type * as AsyncHooks from '@opentelemetry/context-async-hooks';
import type * as Core from '@opentelemetry/core';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkNode from '@opentelemetry/sdk-trace-node';
import type { Logger } from './logger.ts';

/** The tracing settings (config.tracing); declared here, below the configuration, which imports them. */
export interface TracingConfig {
  /** OTLP/HTTP collector base URL (OTEL_EXPORTER_OTLP_ENDPOINT); unset: no tracer provider is started. */
  otlpEndpoint?: string;
  /** `service.name` of the spans (OTEL_SERVICE_NAME); default `switchboard`. */
  serviceName: string;
}

export interface Tracing {
  readonly tracer: Tracer;
  /** W3C trace context: reads the client's `traceparent`/`tracestate`, writes them on upstream requests. */
  readonly propagator: TextMapPropagator;
  /** Exports every span ended so far (tests, benchmarks). */
  forceFlush(): Promise<void>;
  /** Exports what is left and stops; idempotent. */
  shutdown(): Promise<void>;
}

const load = createRequire(import.meta.url);

/** The tracing of one gateway, or undefined when no OTLP endpoint is configured. The SDK's warnings (a failed export) go to `logger`. */
export function startTracing(config: TracingConfig, logger?: Logger): Tracing | undefined {
  if (!config.otlpEndpoint) return undefined;
  const { NodeTracerProvider, BatchSpanProcessor } = load('@opentelemetry/sdk-trace-node') as typeof SdkNode;
  const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
  const { resourceFromAttributes } = load('@opentelemetry/resources') as typeof Resources;
  const { W3CTraceContextPropagator } = load('@opentelemetry/core') as typeof Core;

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.otlpEndpoint}/v1/traces` }))],
  });
  const releaseContext = holdGlobals(() => provider.register({ propagator: null }), logger);
  let closing: Promise<void> | undefined;
  return {
    tracer: provider.getTracer('switchboard'),
    propagator: new W3CTraceContextPropagator(),
    forceFlush: () => provider.forceFlush(),
    shutdown() {
      closing ??= provider.shutdown().finally(releaseContext);
      return closing;
    },
  };
}

let holders = 0;
let registered = false;
let diagnosing = false;

/**
 * Registers the async-hooks context manager (and the SDK's diagnostic logger) while at least one
 * gateway traces. When another manager is registered already (the embedding application's), that
 * one is used and left alone.
 */
function holdGlobals(fallback: () => void, logger: Logger | undefined): () => void {
  if (holders++ === 0) {
    const manager = asyncLocalStorageManager();
    if (manager) registered = context.setGlobalContextManager(manager.enable());
    else fallback();
    if (logger) {
      // Export failures and dropped spans reach the SDK's diagnostic log only: without this they pass silently.
      const warn = (message: string, ...args: unknown[]) => logger.warn({ component: 'opentelemetry', detail: args.map(String) }, message);
      const quiet = () => undefined;
      diagnosing = diag.setLogger({ error: warn, warn, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders > 0) return;
    if (diagnosing) diag.disable();
    if (registered) context.disable();
    registered = diagnosing = false;
  };
}

function asyncLocalStorageManager(): AsyncHooks.AsyncLocalStorageContextManager | undefined {
  try {
    const { AsyncLocalStorageContextManager } = load('@opentelemetry/context-async-hooks') as typeof AsyncHooks;
    return new AsyncLocalStorageContextManager();
  } catch {
    return undefined;
  }
}
