/**
 * The process-level side of the registered systems: one resilient upstream client, one
 * scoped cache and (where a system has one) one shared state per system, built once per
 * gateway; the process-level connector (catch-up, Slack's directory) on first use.
 */
import type { CacheStore } from '../cache/store.ts';
import type { ResourceCache } from '../cache/types.ts';
import type { Config } from '../config.ts';
import type { SystemName } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { SharedState, SystemModule } from '../systems/system.ts';
import { createUpstreamClient, type ResilientUpstreamClient, type UpstreamAttemptEvent } from '../upstream/client.ts';
import type { Resilience } from '../upstream/resilience.ts';
import { lazyRecord } from './lazy.ts';

export interface UpstreamTarget {
  baseUrl: string;
  credential: string;
}

export interface SystemRuntimeOptions {
  systems: readonly SystemModule[];
  config: Config;
  upstreams: Record<SystemName, UpstreamTarget>;
  logger: Logger;
  resilience: Resilience;
  onResponse: (event: UpstreamAttemptEvent) => void;
}

/** What the gateway holds per system for its whole life. */
export interface SystemRuntime {
  systems: readonly SystemModule[];
  upstream: Record<SystemName, ResilientUpstreamClient>;
  /** Each system's shared-cache view, scoped to its credential. */
  caches: Record<SystemName, ResourceCache>;
  /** Connectors without a request (no request id, no deadline), built on first use. */
  connectors: Record<SystemName, unknown>;
  /** Process-level state of the systems that have one (Slack's user directory). */
  shared: Partial<Record<SystemName, SharedState<unknown>>>;
}

export function createUpstreamClients(options: SystemRuntimeOptions): Record<SystemName, ResilientUpstreamClient> {
  const { config } = options;
  return Object.fromEntries(
    options.systems.map((system) => [
      system.name,
      createUpstreamClient({
        profile: system.profile,
        baseUrl: options.upstreams[system.name].baseUrl,
        credential: options.upstreams[system.name].credential,
        timeoutMs: config.upstream.timeoutMs,
        retries: config.upstream.retries,
        logger: options.logger,
        onResponse: options.onResponse,
        ...options.resilience.clientOptions(system.name),
      }),
    ]),
  ) as Record<SystemName, ResilientUpstreamClient>;
}

export function createSystemRuntime(
  options: SystemRuntimeOptions & { cache: CacheStore; upstream: Record<SystemName, ResilientUpstreamClient> },
): SystemRuntime {
  const { systems, config, upstream } = options;
  const names = systems.map((system) => system.name);
  const caches = Object.fromEntries(
    systems.map((system) => [
      system.name,
      options.cache.scoped(system.name, options.upstreams[system.name].credential, config.cache.ttlSeconds),
    ]),
  ) as Record<SystemName, ResourceCache>;
  const byName = new Map(systems.map((system) => [system.name, system]));
  const connectors = lazyRecord(names, (name) => byName.get(name)!.createConnector(upstream[name]));
  const shared: Partial<Record<SystemName, SharedState<unknown>>> = {};
  for (const system of systems) {
    shared[system.name] = system.createShared?.({
      connector: connectors[system.name],
      cache: caches[system.name],
      ttlSeconds: config.cache.ttlSeconds,
      logger: options.logger,
    });
  }
  return { systems, upstream, caches, connectors: connectors as Record<SystemName, unknown>, shared };
}
