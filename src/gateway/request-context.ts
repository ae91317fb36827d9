/**
 * The context of one request. Per request, connectors carry the request's id and deadline
 * signal, and with a trace the client and cache report to it as well. Nothing is built for
 * a system the request does not touch: each system's connector and loaders are built on
 * first access, once (the same connector serves the loaders and the writes).
 */
import type { Config } from '../config.ts';
import type { GatewayContext, Loaders } from '../context.ts';
import type { ChangeFeed } from '../changes/types.ts';
import type { SystemName } from '../errors.ts';
import { lookAheadHooks, type LookAhead } from '../links/index.ts';
import type { Logger } from '../observability/logger.ts';
import { requestIdFrom, requestLogger } from '../observability/request-log.ts';
import { RequestTrace, tracedCache, tracedClient, wantsTrace } from '../observability/trace.ts';
import { principalOf } from '../plugins/use-auth.ts';
import { createRequestDeadline } from '../upstream/deadline.ts';
import type { Connectors, WriteRuntime } from '../workflows/runtime.ts';
import { lazyRecord } from './lazy.ts';
import type { SystemRuntime } from './systems.ts';

/** A part of one system built for one request (tests observe what a request builds). */
export interface BuildEvent {
  system: SystemName;
  part: 'connector' | 'loaders';
}

export interface ContextFactoryOptions {
  runtime: SystemRuntime;
  config: Config;
  logger: Logger;
  changes: ChangeFeed;
  writes: WriteRuntime;
  onBuild?: (event: BuildEvent) => void;
}

export type ContextFactory = (request: Request, signal: AbortSignal) => GatewayContext;

/** Callbacks the cross-system links hang on a system's reads, by system. */
function linkHooks(lookAhead: LookAhead, loaders: () => Loaders): Partial<Record<SystemName, unknown>> {
  return { crm: lookAheadHooks(lookAhead, () => loaders().billing) };
}

export function createContextFactory(options: ContextFactoryOptions): ContextFactory {
  const { runtime, config, logger } = options;
  const names = runtime.systems.map((system) => system.name);
  const byName = new Map(runtime.systems.map((system) => [system.name, system]));

  function contextFor(request: Request, signal: AbortSignal): GatewayContext {
    const requestId = requestIdFrom(request);
    const trace = wantsTrace(request) ? new RequestTrace() : undefined;
    const principal = principalOf(request);
    const lookAhead: LookAhead = {};
    const connectors = lazyRecord(names, (name) => {
      options.onBuild?.({ system: name, part: 'connector' });
      const http = trace ? tracedClient(runtime.upstream[name], trace) : runtime.upstream[name];
      return byName.get(name)!.createConnector(http, { requestId, signal });
    });
    const hooks = linkHooks(lookAhead, () => loaders);
    const loaders = lazyRecord(names, (name) => {
      options.onBuild?.({ system: name, part: 'loaders' });
      const cache = trace ? tracedCache(runtime.caches[name], name, trace) : runtime.caches[name];
      const shared = runtime.shared[name]?.shared;
      const plan = config.resilience.plans[name];
      return byName
        .get(name)!
        .createLoaders({ connector: connectors[name], cache, requestId, signal, shared, plan, hooks: hooks[name] ?? {} });
    }) as unknown as Loaders;
    return {
      requestId,
      log: requestLogger(logger, request, principal?.id),
      changes: options.changes,
      principal,
      signal,
      trace,
      lookAhead,
      loaders,
      connectors: connectors as unknown as Connectors,
      writes: options.writes,
      // Same client — its request ID, principal and abort signal — with new loaders and a deadline
      // of the event's own, released when the event is resolved (see GatewayContext.renew).
      renew: (renewal) => {
        const deadline = createRequestDeadline(config.resilience.requestDeadlineMs, renewal?.outliveClient ? undefined : request.signal);
        return { ...contextFor(request, deadline.signal), dispose: deadline.dispose };
      },
    };
  }
  return contextFor;
}
