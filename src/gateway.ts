/**
 * `createGateway` builds the whole gateway — upstream clients, cache, stitched schema and
 * the Yoga server — and has no side effects: it listens on nothing and reads no
 * environment. `src/main.ts` decides where the upstreams are and binds the port; tests
 * call `createGateway` and use `yoga.fetch` or a real port.
 */
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { createCacheStore, type CacheStore } from './cache/store.ts';
import { catchUp, type CatchUpReport } from './webhooks/catch-up.ts';
import { createCursorStore, type CursorStore } from './webhooks/cursor.ts';
import { useWebhookReceivers } from './webhooks/receiver.ts';
import type { ChangeFeed } from './changes/types.ts';
import { createWriteStore, type WriteStore } from './store/index.ts';
import type { StepObserver, WriteRuntime } from './workflows/runtime.ts';
import { webhookSecret, type Config } from './config.ts';
import type { GatewayContext } from './context.ts';
import { maskError, type SystemName } from './errors.ts';
import { createGraphiQLRenderer, graphiqlOptions } from './graphiql.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createSecurity, type Security } from './plugins/security.ts';
import { buildGatewaySchema, createSubschemas } from './stitching.ts';
import { scopeRequirementsOf } from './auth/scope-checks.ts';
import type { ResilientUpstreamClient, UpstreamAttemptEvent } from './upstream/client.ts';
import { createResilience } from './upstream/resilience.ts';
import { createAdmission, type Admission } from './plugins/use-admission.ts';
import { useLookAhead } from './plugins/use-look-ahead.ts';
import { createMetrics, type GatewayMetrics } from './observability/metrics.ts';
import { useConditionalFolding } from './plugins/use-conditional-folding.ts';
import { useDeprecation } from './plugins/use-deprecation.ts';
import { createMemoryTally, createRedisTally, type UsageTally } from './deprecation/usage.ts';
import { useMetrics } from './plugins/use-metrics.ts';
import { createResponseCache, type ResponseCache } from './plugins/use-response-cache.ts';
import { useReadiness } from './plugins/use-readiness.ts';
import { useUpstreamTrace } from './plugins/use-upstream-trace.ts';
import { useRequestLog } from './plugins/use-request-log.ts';
import { useTracing } from './plugins/use-tracing.ts';
import { startTracing, type Tracing } from './observability/tracing.ts';
import { useMcp } from './mcp/route.ts';
import { createHealthModel, type HealthModel, type HealthModelOptions } from './health/model.ts';
import { useHealth } from './plugins/use-health.ts';
import { useOperatorFields } from './plugins/use-operator-fields.ts';
import { requestIdFrom } from './observability/request-log.ts';
import { LINKED_TYPES, LOOK_AHEAD_COORDINATE } from './links/index.ts';
import { SYSTEMS } from './systems/index.ts';
import { createGatewayChanges } from './gateway/changes.ts';
import { outliveClientIfMutation, requestSignal } from './gateway/deadlines.ts';
import { useRequestDeadlines } from './plugins/use-request-deadlines.ts';
import { useIncrementalDelivery } from './plugins/use-incremental-delivery.ts';
import { createContextFactory, type BuildEvent, type ContextFactory } from './gateway/request-context.ts';
import { createSystemRuntime, createUpstreamClients, type SystemRuntime, type UpstreamTarget } from './gateway/systems.ts';

export type { UpstreamTarget };
export type { BuildEvent };

export interface GatewayOptions {
  config: Config;
  /** Where each system is reached: the vendor, or the embedded sandbox. */
  upstreams: Record<SystemName, UpstreamTarget>;
  logger?: Logger;
  /** Key namespace of the shared cache (tests isolate runs with it). */
  cacheNamespace?: string;
  /** Observes every upstream attempt (metrics, tests). */
  onUpstreamResponse?: (event: UpstreamAttemptEvent) => void;
  /** Shares one durable write store (idempotency, audit) instead of opening one from config; the caller closes it. */
  writeStore?: WriteStore;
  /** Observes each step of the cross-system writes (logs, tests injecting faults between steps). */
  onWorkflowStep?: StepObserver;
  /** Demo mode's development API key: accepted with every scope and preset in GraphiQL. */
  devApiKey?: string;
  /** Observes each system part a request builds (its connector, its loaders): built on first use only. */
  onBuild?: (event: BuildEvent) => void;
}

export interface Gateway {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  upstream: Record<SystemName, ResilientUpstreamClient>;
  cache: CacheStore;
  changes: ChangeFeed;
  /** Idempotency records and the audit log. */
  writes: WriteStore;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Each system's health, webhooks, catch-up and failed work (Query.integrationHealth, GET /status). */
  health: HealthModel;
  /** OpenTelemetry tracing, when OTEL_EXPORTER_OTLP_ENDPOINT is set (closed, its spans flushed, by `close`). */
  tracing?: Tracing;
  /** Makes /readiness answer 503 (first step of a graceful shutdown); requests are still served. */
  drain(): void;
  /** Reads the vendors' change feeds from the last change seen (after downtime); `main` runs it on start. */
  catchUp(): Promise<CatchUpReport>;
  /** Loads the Slack user directory before the first request needs it; never rejects (failures are logged; the next request retries). */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const namespace = options.cacheNamespace ?? 'switchboard';
  let upstreamClients: Record<SystemName, ResilientUpstreamClient> | undefined, cacheStore: CacheStore | undefined;
  const admission = createAdmission({
    maxConcurrent: config.resilience.maxConcurrentOperations,
    maxQueued: config.resilience.maxQueuedOperations,
    onRejected: (reason) => metrics.observeAdmissionRejected(reason),
    onStart: outliveClientIfMutation,
  });
  const metrics = createMetrics({ upstream: () => upstreamClients, cacheStats: () => cacheStore?.stats, admission: admission.load });
  const resilience = createResilience({ config, upstreams: options.upstreams, logger, namespace });
  // Opened on first use: made here so the health model can list failed writes from its audit log.
  const writeStore = options.writeStore ?? openWriteStore(config);
  const health = openHealth(config, namespace, { metrics, logger, audit: writeStore.audit, clients: () => upstreamClients });
  const systemOptions = {
    systems: SYSTEMS,
    config,
    upstreams: options.upstreams,
    logger,
    resilience,
    onResponse: observeAttempts(metrics, health, options.onUpstreamResponse),
  };
  const upstream = (upstreamClients = createUpstreamClients(systemOptions));
  const cache = (cacheStore = openCache(config, namespace, logger));
  const runtime = createSystemRuntime({ ...systemOptions, cache, upstream });
  const responses = responseCacheOf(config, metrics);
  const feed = createGatewayChanges({ config, runtime, responses, namespace });
  const cursor = createCursorStore({ redisUrl: config.cache.redisUrl, namespace, dataDir: config.webhooks.dataDir });
  const writes = writeRuntime(config, writeStore, options.onWorkflowStep, health);
  const devApiKey = config.mode === 'demo' ? options.devApiKey : undefined;
  const security = createSecurity({ config, logger, devApiKey, namespace });
  const contextFor = createContextFactory({ runtime, config, logger, changes: feed.changes, writes, onBuild: options.onBuild });
  // The one thing built here that is process-wide: a context manager, and only with tracing on (see tracing.ts).
  const tracing = startTracing(config.tracing, logger);
  const served = createGatewayYoga({
    config,
    tracing,
    logger,
    devApiKey,
    runtime,
    contextFor,
    security,
    admission,
    metrics,
    responses,
    cursor,
    changes: feed.changes,
    audit: writeStore.audit,
    health,
    deprecations: config.cache.redisUrl ? createRedisTally(config.cache.redisUrl, namespace, logger) : createMemoryTally(),
  });
  return {
    yoga: served.yoga,
    upstream,
    cache,
    changes: feed.changes,
    writes: writeStore,
    logger,
    metrics,
    health,
    tracing,
    catchUp: () => health.trackCatchUp(cursor, () => catchUp({ cursor, changes: feed.changes, systems: catchUpSystems(runtime), logger })),
    warmUp: () => Promise.all(Object.values(runtime.shared).map((state) => state?.warm?.())).then(() => undefined),
    drain: () => served.drain(),
    async close() {
      served.drain();
      await health.close();
      feed.stop();
      for (const state of Object.values(runtime.shared)) state?.close?.();
      await feed.changes.close();
      await cursor.close();
      await Promise.all(Object.values(upstream).map((client) => client.close()));
      await cache.close();
      await resilience.close();
      await Promise.all([security.close(), served.close()]);
      if (!options.writeStore) await writeStore.close();
      // Last: the spans of everything above are exported before it stops.
      await tracing?.shutdown();
    },
  };
}

/** Every upstream attempt goes to the metrics, the health model and the caller's observer, in that order. */
function observeAttempts(
  metrics: Pick<GatewayMetrics, 'observeUpstream'>,
  health: Pick<HealthModel, 'observeAttempt'>,
  observer?: (event: UpstreamAttemptEvent) => void,
): (event: UpstreamAttemptEvent) => void {
  return (event) => {
    metrics.observeUpstream(event);
    health.observeAttempt(event);
    observer?.(event);
  };
}

/** The health model over the systems of the registry (never a vendor named here), with where replicas report and when to alert. */
function openHealth(config: Config, namespace: string, parts: Pick<HealthModelOptions, 'metrics' | 'logger' | 'audit' | 'clients'>) {
  const systems = SYSTEMS.map((system) => ({ name: system.name, label: system.facts.label, vendor: system.webhook?.vendor }));
  return createHealthModel({ ...parts, systems, redisUrl: config.cache.redisUrl, namespace, alerts: config.alerts });
}

/** What the write path needs; the health model hears how each cross-system write ended (counted, OUTCOME_UNKNOWN alerted). */
function writeRuntime(config: Config, store: WriteStore, observer: StepObserver | undefined, health: HealthModel): WriteRuntime {
  return { store, waitMs: config.store.waitMs, observer, onSettled: health.observeWorkflow };
}

function responseCacheOf(config: Config, metrics: GatewayMetrics): ResponseCache | undefined {
  if (!config.cache.responses.enabled) return undefined;
  return createResponseCache({
    systems: SYSTEMS,
    linkedTypes: LINKED_TYPES,
    ttlSeconds: config.cache.ttlSeconds,
    maxBytes: config.cache.responses.maxBytes,
    onResult: (result) => metrics.observeResponseCache(result),
  });
}

function openCache(config: Config, namespace: string, logger: Logger): CacheStore {
  const { redisUrl, maxEntries, maxBytes } = config.cache;
  return createCacheStore({ redisUrl, maxEntries, maxBytes, namespace, logger });
}

function openWriteStore(config: Config): WriteStore {
  return createWriteStore({
    databaseUrl: config.store.databaseUrl,
    dataDir: config.webhooks.dataDir,
    schema: config.store.schema,
    leaseMs: config.store.leaseMs,
  });
}

/** Each system's change feed for catch-up, read with its process-level connector. */
function catchUpSystems(runtime: SystemRuntime) {
  return runtime.systems.map((system) => ({
    name: system.name,
    changesSince: system.catchUp
      ? (since: number) => system.catchUp!({ connector: runtime.connectors[system.name], upstream: runtime.upstream[system.name], since })
      : undefined,
  }));
}

interface YogaParts {
  config: Config;
  tracing?: Tracing;
  logger: Logger;
  devApiKey?: string;
  runtime: SystemRuntime;
  contextFor: ContextFactory;
  security: Security;
  admission: Admission;
  metrics: GatewayMetrics;
  responses?: ResponseCache;
  cursor: CursorStore;
  changes: ChangeFeed;
  /** Where /mcp records each tool call. */
  audit: WriteStore['audit'];
  /** Where uses of deprecated fields are tallied (Query.deprecatedFieldUsage). */
  deprecations: UsageTally;
  /** Query.integrationHealth and GET /status. */
  health: HealthModel;
}

function yogaLogging(logger: Logger) {
  const line = (args: unknown[]) => args.map(String).join(' ');
  return {
    debug: (...args: unknown[]) => logger.debug(line(args)),
    info: (...args: unknown[]) => logger.info(line(args)),
    warn: (...args: unknown[]) => logger.warn(line(args)),
    // Yoga logs every error its masking touched, client mistakes included, without the request:
    // useRequestLog logs each failed request once, at the level of who must act.
    error: (...args: unknown[]) => logger.debug(line(args)),
  };
}

/** The Yoga server; `drain` makes /readiness answer 503 (first step of a graceful shutdown); `close` releases what its plugins hold. */
function createGatewayYoga(parts: YogaParts): {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  drain(): void;
  close(): Promise<void>;
} {
  const { config, logger, devApiKey, contextFor, security, admission, metrics, responses, cursor, changes } = parts;
  const upstream = parts.runtime.upstream;
  let draining = false;
  const subschemas = createSubschemas();
  const schema = buildGatewaySchema(subschemas);
  // The look-ahead may start billing reads only for a caller the schema lets read their result.
  const requirements = scopeRequirementsOf(subschemas);
  const lookAheadScopes = requirements.get(LOOK_AHEAD_COORDINATE) ?? [];
  const yoga: YogaServerInstance<Record<string, unknown>, GatewayContext> = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // Liveness: Yoga answers 200 here without touching the schema or any upstream.
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: config.limits.allowGraphiql ? graphiqlOptions(devApiKey ? { authorization: `Bearer ${devApiKey}` } : {}) : false,
    renderGraphiQL: createGraphiQLRenderer(),
    batching: false,
    maxRequestBodySize: config.limits.maxBodyBytes,
    logging: yogaLogging(logger),
    maskedErrors: { maskError },
    context: ({ request, params }: { request: Request; params?: { query?: unknown; operationName?: unknown } }): GatewayContext => {
      return contextFor(request, requestSignal(request, params, config.resilience.requestDeadlineMs));
    },
    plugins: [
      // First, so it sees each result before other plugins rebuild its errors.
      useRequestLog(logger),
      // Its operation span wraps every plugin's work: it is the only plugin with Yoga `instrumentation` (only with tracing on).
      ...(parts.tracing ? [useTracing(parts.tracing)] : []),
      useWebhookReceivers({
        systems: parts.runtime.systems,
        secrets: Object.fromEntries(
          SYSTEMS.flatMap(({ name, webhook }) => (webhook ? [[webhook.vendor, webhookSecret(config.webhooks, name)]] : [])),
        ),
        publicUrl: config.webhooks.publicUrl,
        changes,
        cursor,
        logger,
        onDelivery: (delivery) => parts.health.observeWebhook(delivery),
      }),
      // Answers /mcp itself; each tool call comes back through this pipeline as a GraphQL request.
      useMcp({
        config,
        schema,
        requirements,
        authenticator: security.authenticator,
        fetch: async (request: Request): Promise<Response> => yoga.fetch(request),
        audit: parts.audit,
        logger,
      }),
      ...security.plugins,
      {
        onResponse({ request, response }) {
          response.headers.set('x-request-id', requestIdFrom(request));
        },
      },
      useRequestDeadlines(),
      useMetrics(metrics),
      useReadiness({ draining: () => draining, upstream }),
      useHealth(parts.health, { trustedDocuments: config.limits.trustedDocuments }),
      useUpstreamTrace({ budgetLeft: (system) => (upstream[system].budget?.enabled ? upstream[system].budget?.left() : undefined) }),
      // Before the look-ahead and stitching: both then plan from what this request really selects.
      useConditionalFolding(),
      useOperatorFields(),
      // After the folding (a skipped field is not used); before the response cache, which it must see answer.
      useDeprecation({ tally: parts.deprecations, metrics }),
      useLookAhead({ requiredScopes: lookAheadScopes }),
      useIncrementalDelivery(),
      admission.plugin,
      // Last, so authentication, rate limits and trusted documents have run when it answers.
      ...(responses ? [responses.plugin] : []),
    ],
  });
  return {
    yoga,
    drain() {
      draining = true;
    },
    close: () => parts.deprecations.close(),
  };
}
