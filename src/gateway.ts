/**
 * `createGateway` builds the whole gateway — upstream clients, cache, stitched schema and
 * the Yoga server — and has no side effects: it listens on nothing and reads no
 * environment. `src/main.ts` decides where the upstreams are and binds the port; tests
 * call `createGateway` and use `yoga.fetch` or a real port.
 */
import { randomUUID } from 'node:crypto';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { createBillingConnector, createBillingLoaders, stripeProfile } from './connectors/billing/index.ts';
import { createChatConnector, createChatLoaders, slackProfile } from './connectors/chat/index.ts';
import { createCrmConnector, createCrmLoaders, hubspotProfile } from './connectors/crm/index.ts';
import { createCacheStore, type CacheStore } from './cache/store.ts';
import { createChangeFeed } from './changes/feed.ts';
import { createInvalidator } from './changes/invalidate.ts';
import type { ChangeFeed } from './changes/types.ts';
import type { Config } from './config.ts';
import type { GatewayContext } from './context.ts';
import { ERROR_CODES, type SystemName } from './errors.ts';
import { createGraphiQLRenderer, graphiqlOptions } from './graphiql.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { buildGatewaySchema } from './stitching.ts';
import { createUpstreamClient, type ResilientUpstreamClient, type UpstreamAttemptEvent } from './upstream/client.ts';
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
}

export interface Gateway {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  upstream: Record<SystemName, ResilientUpstreamClient>;
  cache: CacheStore;
  changes: ChangeFeed;
  logger: Logger;
  close(): Promise<void>;
}

const PROFILES: Record<SystemName, VendorProfile> = { crm: hubspotProfile, billing: stripeProfile, chat: slackProfile };
const SYSTEMS: readonly SystemName[] = ['crm', 'billing', 'chat'];

export function createGateway(options: GatewayOptions): Gateway {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
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
        onResponse: options.onUpstreamResponse,
      }),
    ]),
  ) as Record<SystemName, ResilientUpstreamClient>;

  const cache = createCacheStore({
    redisUrl: config.cache.redisUrl,
    maxEntries: config.cache.maxEntries,
    namespace: options.cacheNamespace ?? 'switchboard',
    logger,
  });
  const scoped = (system: SystemName) => cache.scoped(system, options.upstreams[system].credential, config.cache.ttlSeconds);
  const caches = { crm: scoped('crm'), billing: scoped('billing'), chat: scoped('chat') };
  const changes = createChangeFeed({ invalidate: createInvalidator(caches) });
  const connectors = {
    crm: createCrmConnector(upstream.crm),
    billing: createBillingConnector(upstream.billing),
    chat: createChatConnector(upstream.chat),
  };

  const schema = buildGatewaySchema();
  const demo = config.mode === 'demo';

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // Liveness: Yoga answers 200 here without touching the schema or any upstream.
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: demo ? graphiqlOptions() : false,
    renderGraphiQL: createGraphiQLRenderer(),
    batching: false,
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      error: (...args) => logger.error(args.map(String).join(' ')),
    },
    maskedErrors: { maskError: (error, message) => maskError(error, message, logger) },
    context: ({ request }): GatewayContext => {
      const requestId = requestIdFrom(request);
      return {
        requestId,
        changes,
        loaders: {
          crm: createCrmLoaders({ connector: connectors.crm, cache: caches.crm, requestId }),
          billing: createBillingLoaders({ connector: connectors.billing, cache: caches.billing, requestId }),
          chat: createChatLoaders({ connector: connectors.chat, cache: caches.chat, requestId }),
        },
      };
    },
    plugins: [
      {
        onResponse({ request, response }) {
          response.headers.set('x-request-id', requestIdFrom(request));
        },
      },
    ],
  });

  return {
    yoga,
    upstream,
    cache,
    changes,
    logger,
    async close() {
      await changes.close();
      await Promise.all(Object.values(upstream).map((client) => client.close()));
      await cache.close();
    },
  };
}

const requestIds = new WeakMap<Request, string>();

/** A caller's `x-request-id` is kept (so traces join up) when it is a sane token; else a new one. */
function requestIdFrom(request: Request): string {
  let id = requestIds.get(request);
  if (!id) {
    const given = request.headers.get('x-request-id');
    id = given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/**
 * Errors with one of our codes pass through with their message and extensions only; every
 * other error is logged and replaced by a generic INTERNAL_SERVER_ERROR, so stack traces,
 * upstream bodies and secrets never reach a client.
 */
function maskError(error: unknown, message: string, logger: Logger): Error {
  if (error instanceof GraphQLError) {
    const code = error.extensions?.code;
    if (typeof code === 'string' && code in ERROR_CODES) {
      return new GraphQLError(error.message, { nodes: error.nodes, path: error.path, extensions: error.extensions });
    }
    if (!error.originalError && !error.path) return error; // parse/validation errors from graphql-js itself
  }
  logger.error({ err: error }, 'unexpected error while executing an operation');
  const path = error instanceof GraphQLError ? error.path : undefined;
  return new GraphQLError(message, { path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
