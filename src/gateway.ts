/**
 * `createGateway` builds the whole gateway — upstream clients, cache, stitched schema and
 * the Yoga server — and has no side effects: it listens on nothing and reads no
 * environment. `src/main.ts` decides where the upstreams are and binds the port; tests
 * call `createGateway` and use `yoga.fetch` or a real port.
 */
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { getOperationAST, parse } from 'graphql';
import { createBillingConnector, createBillingLoaders, stripeProfile } from './systems/billing/index.ts';
import {
  CHAT_RESOURCES,
  createChatConnector,
  createChatLoaders,
  createUserDirectory,
  DEFAULT_DIRECTORY_REFRESH_SECONDS,
  slackProfile,
} from './systems/chat/index.ts';
import { createCrmConnector, createCrmLoaders, hubspotProfile } from './systems/crm/index.ts';
import { createCacheStore, type CacheStore } from './cache/store.ts';
import { createChangeFeed } from './changes/feed.ts';
import { createRedisTransport } from './changes/redis.ts';
import { catchUp, type CatchUpReport } from './webhooks/catch-up.ts';
import { createCursorStore } from './webhooks/cursor.ts';
import { useWebhookReceivers } from './webhooks/receiver.ts';
import { createInvalidator } from './changes/invalidate.ts';
import type { ChangeFeed } from './changes/types.ts';
import { createWriteStore, type WriteStore } from './store/index.ts';
import type { StepObserver } from './workflows/runtime.ts';
import type { Config } from './config.ts';
import type { GatewayContext } from './context.ts';
import { maskError, type SystemName } from './errors.ts';
import { createGraphiQLRenderer, graphiqlOptions } from './graphiql.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { principalOf } from './plugins/use-auth.ts';
import { createSecurity } from './plugins/security.ts';
import { buildGatewaySchema } from './stitching.ts';
import { createUpstreamClient, type ResilientUpstreamClient, type UpstreamAttemptEvent } from './upstream/client.ts';
import { createResilience } from './upstream/resilience.ts';
import { createAdmission } from './plugins/use-admission.ts';
import { lookAheadFromContacts, useLookAhead, type LookAhead } from './plugins/use-look-ahead.ts';
import { createRequestDeadline, type RequestDeadline } from './upstream/deadline.ts';
import { createMetrics, type GatewayMetrics } from './observability/metrics.ts';
import { RequestTrace, tracedCache, tracedClient, wantsTrace } from './observability/trace.ts';
import { useConditionalFolding } from './plugins/use-conditional-folding.ts';
import { useMetrics } from './plugins/use-metrics.ts';
import { createResponseCache } from './plugins/use-response-cache.ts';
import { useReadiness } from './plugins/use-readiness.ts';
import { useUpstreamTrace } from './plugins/use-upstream-trace.ts';
import { useRequestLog } from './plugins/use-request-log.ts';
import { requestIdFrom, requestLogger } from './observability/request-log.ts';
import type { VendorProfile } from './upstream/types.ts';

export interface UpstreamTarget {
  baseUrl: string;
  credential: string;
}

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
  /** Makes /readiness answer 503 (first step of a graceful shutdown); requests are still served. */
  drain(): void;
  /** Reads the vendors' change feeds from the last change seen (after downtime); `main` runs it on start. */
  catchUp(): Promise<CatchUpReport>;
  /** Loads the Slack user directory before the first request needs it; never rejects (failures are logged; the next request retries). */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

const PROFILES: Record<SystemName, VendorProfile> = { crm: hubspotProfile, billing: stripeProfile, chat: slackProfile };
const SYSTEMS: readonly SystemName[] = ['crm', 'billing', 'chat'];

export function createGateway(options: GatewayOptions): Gateway {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  let upstreamClients: Record<SystemName, ResilientUpstreamClient> | undefined;
  let cacheStore: CacheStore | undefined;
  const admission = createAdmission({
    maxConcurrent: config.resilience.maxConcurrentOperations,
    maxQueued: config.resilience.maxQueuedOperations,
    onRejected: (reason) => metrics.observeAdmissionRejected(reason),
  });
  const metrics = createMetrics({ upstream: () => upstreamClients, cacheStats: () => cacheStore?.stats, admission: admission.load });
  const resilience = createResilience({ config, upstreams: options.upstreams, logger, namespace: options.cacheNamespace ?? 'switchboard' });
  const upstream = Object.fromEntries(
    SYSTEMS.map((system) => [
      system,
      createUpstreamClient({
        profile: PROFILES[system],
        baseUrl: options.upstreams[system].baseUrl,
        credential: options.upstreams[system].credential,
        timeoutMs: config.upstream.timeoutMs,
        retries: config.upstream.retries,
        logger,
        onResponse: (event) => {
          metrics.observeUpstream(event);
          options.onUpstreamResponse?.(event);
        },
        ...resilience.clientOptions(system),
      }),
    ]),
  ) as Record<SystemName, ResilientUpstreamClient>;
  upstreamClients = upstream;
  let draining = false;

  const cache = createCacheStore({
    redisUrl: config.cache.redisUrl,
    maxEntries: config.cache.maxEntries,
    maxBytes: config.cache.maxBytes,
    namespace: options.cacheNamespace ?? 'switchboard',
    logger,
  });
  cacheStore = cache;
  // The Slack user directory's refresh interval is also its shared entry's TTL (0: re-read on every request, never shared).
  const directoryRefreshSeconds = config.cache.ttlSeconds[CHAT_RESOURCES.userDirectory] ?? DEFAULT_DIRECTORY_REFRESH_SECONDS;
  const scoped = (system: SystemName) => cache.scoped(system, options.upstreams[system].credential, config.cache.ttlSeconds);
  const caches = { crm: scoped('crm'), billing: scoped('billing'), chat: scoped('chat') };
  const namespace = options.cacheNamespace ?? 'switchboard';
  const responses = config.cache.responses.enabled
    ? createResponseCache({
        ttlSeconds: config.cache.ttlSeconds,
        maxBytes: config.cache.responses.maxBytes,
        onResult: (result) => metrics.observeResponseCache(result),
      })
    : undefined;
  const invalidateRecords = createInvalidator(caches);
  // With Redis, replicas share event-id dedupe and fan-out; the cache is shared there too, so one invalidation serves all.
  const changes = createChangeFeed({
    // Whole responses go first: a response must never outlive the records it was built from.
    invalidate: async (event) => {
      responses?.invalidate(event);
      await invalidateRecords(event);
    },
    transport: config.cache.redisUrl
      ? createRedisTransport({ url: config.cache.redisUrl, namespace, dedupeTtlSeconds: config.webhooks.dedupeTtlSeconds })
      : undefined,
  });
  const stopListening = new AbortController();
  if (responses && config.cache.redisUrl) {
    // The invalidator runs on the one replica that claimed the event; the others hear of it here.
    void (async () => {
      for await (const event of changes.subscribe(stopListening.signal)) responses.invalidate(event);
    })().catch(() => undefined);
  }
  const cursor = createCursorStore({ redisUrl: config.cache.redisUrl, namespace, dataDir: config.webhooks.dataDir });
  const connectors = {
    crm: createCrmConnector(upstream.crm),
    billing: createBillingConnector(upstream.billing),
    chat: createChatConnector(upstream.chat),
  };
  // One replica of the Slack user directory per process, read with the process-level connector and kept fresh by every
  // user change this replica hears of (with Redis: changes delivered to any replica).
  const directory = createUserDirectory({
    connector: connectors.chat,
    cache: caches.chat,
    refreshSeconds: directoryRefreshSeconds,
    logger,
  });
  const directoryFeed = new AbortController();
  void (async () => {
    for await (const event of changes.subscribe(directoryFeed.signal)) void directory.applyChange(event);
  })().catch(() => undefined);

  const writeStore =
    options.writeStore ??
    createWriteStore({
      databaseUrl: config.store.databaseUrl,
      dataDir: config.webhooks.dataDir,
      schema: config.store.schema,
      leaseMs: config.store.leaseMs,
    });
  const writes = { store: writeStore, waitMs: config.store.waitMs, observer: options.onWorkflowStep };

  const schema = buildGatewaySchema();
  const demo = config.mode === 'demo';
  const devApiKey = demo ? options.devApiKey : undefined;
  const security = createSecurity({ config, logger, devApiKey, namespace: options.cacheNamespace ?? 'switchboard' });

  /** The context of one request (`signal`: its deadline, or the client's own for a subscription). */
  function contextFor(request: Request, signal: AbortSignal): GatewayContext {
    const requestId = requestIdFrom(request);
    const trace = wantsTrace(request) ? new RequestTrace() : undefined;
    const principal = principalOf(request);
    // Per request: connectors carry this request's id and deadline signal; with a trace,
    // the client and cache report to it as well.
    const http = (system: SystemName) => (trace ? tracedClient(upstream[system], trace) : upstream[system]);
    const cacheOf = <S extends SystemName>(system: S) => (trace ? tracedCache(caches[system], system, trace) : caches[system]);
    const lookAhead: LookAhead = {};
    const billing = createBillingLoaders({
      connector: createBillingConnector(http('billing'), { requestId, signal }),
      cache: cacheOf('billing'),
      requestId,
    });
    return {
      requestId,
      log: requestLogger(logger, request, principal?.id),
      changes,
      principal,
      signal,
      trace,
      lookAhead,
      loaders: {
        crm: createCrmLoaders({
          connector: createCrmConnector(http('crm'), { requestId, signal }),
          cache: cacheOf('crm'),
          requestId,
          onContactPage: lookAheadFromContacts(lookAhead, billing),
        }),
        billing,
        chat: createChatLoaders({
          connector: createChatConnector(http('chat'), { requestId, signal }),
          cache: cacheOf('chat'),
          directory,
          requestId,
          signal,
        }),
      },
      connectors: {
        crm: createCrmConnector(http('crm'), { requestId, signal }),
        billing: createBillingConnector(http('billing'), { requestId, signal }),
        chat: createChatConnector(http('chat'), { requestId, signal }),
      },
      writes,
      // Same client — its request ID, principal and abort signal — with new loaders and a deadline
      // of the event's own, released when the event is resolved (see GatewayContext.renew).
      renew: () => {
        const deadline = createRequestDeadline(config.resilience.requestDeadlineMs, request.signal);
        return { ...contextFor(request, deadline.signal), dispose: deadline.dispose };
      },
    };
  }

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // Liveness: Yoga answers 200 here without touching the schema or any upstream.
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: config.limits.allowGraphiql ? graphiqlOptions(devApiKey ? { authorization: `Bearer ${devApiKey}` } : {}) : false,
    renderGraphiQL: createGraphiQLRenderer(),
    batching: false,
    maxRequestBodySize: config.limits.maxBodyBytes,
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      // Yoga logs every error its masking touched, client mistakes included, without the request:
      // useRequestLog logs each failed request once, at the level of who must act.
      error: (...args) => logger.debug(args.map(String).join(' ')),
    },
    maskedErrors: { maskError },
    context: ({ request, params }: { request: Request; params?: { query?: unknown; operationName?: unknown } }): GatewayContext => {
      // A subscription lives as long as the client listens: it gets no deadline of its own.
      const { signal } = isSubscription(params) ? { signal: request.signal } : deadlineOf(request, config.resilience.requestDeadlineMs);
      return contextFor(request, signal);
    },
    plugins: [
      // First, so it sees each result before other plugins rebuild its errors.
      useRequestLog(logger),
      useWebhookReceivers({
        secrets: {
          hubspot: config.webhooks.hubspotClientSecret,
          stripe: config.webhooks.stripeWebhookSecret,
          slack: config.webhooks.slackSigningSecret,
        },
        publicUrl: config.webhooks.publicUrl,
        changes,
        cursor,
        logger,
      }),
      ...security.plugins,
      {
        onResponse({ request, response }) {
          response.headers.set('x-request-id', requestIdFrom(request));
          requestDeadlines.get(request)?.dispose();
        },
      },
      useMetrics(metrics),
      useReadiness({ draining: () => draining, upstream }),
      useUpstreamTrace({ budgetLeft: (system) => (upstream[system].budget?.enabled ? upstream[system].budget?.left() : undefined) }),
      // Before the look-ahead and stitching: both then plan from what this request really selects.
      useConditionalFolding(),
      useLookAhead(),
      admission.plugin,
      // Last, so authentication, rate limits and trusted documents have run when it answers.
      ...(responses ? [responses.plugin] : []),
    ],
  });

  return {
    yoga,
    upstream,
    cache,
    changes,
    writes: writeStore,
    logger,
    metrics,
    catchUp: () => catchUp({ cursor, changes, billing: upstream.billing, crm: connectors.crm, logger }),
    warmUp: () => directory.warm(),
    drain() {
      draining = true;
    },
    async close() {
      draining = true;
      directoryFeed.abort();
      directory.close();
      stopListening.abort();
      await changes.close();
      await cursor.close();
      await Promise.all(Object.values(upstream).map((client) => client.close()));
      await cache.close();
      await resilience.close();
      await security.close();
      if (!options.writeStore) await writeStore.close();
    },
  };
}

const requestDeadlines = new WeakMap<Request, RequestDeadline>();

function isSubscription(params: { query?: unknown; operationName?: unknown } | undefined): boolean {
  const query = params?.query;
  // Most documents never mention the word; only those that do are parsed to be sure.
  if (typeof query !== 'string' || !/\bsubscription\b/.test(query)) return false;
  try {
    const name = typeof params?.operationName === 'string' ? params.operationName : undefined;
    return getOperationAST(parse(query), name)?.operation === 'subscription';
  } catch {
    return false;
  }
}

/** The request's deadline, started when it is first asked for (building the context). */
function deadlineOf(request: Request, ms: number): RequestDeadline {
  let deadline = requestDeadlines.get(request);
  if (!deadline) {
    deadline = createRequestDeadline(ms, request.signal);
    requestDeadlines.set(request, deadline);
  }
  return deadline;
}
