/**
 * The change feed and what hears it: the record caches' invalidation (each system's own part,
 * then the cross-system links'), the whole-response cache, and each system's shared state.
 */
import { createChangeFeed } from '../changes/feed.ts';
import { createInvalidator } from '../changes/invalidate.ts';
import { createRedisTransport } from '../changes/redis.ts';
import type { ChangeEvent, ChangeFeed } from '../changes/types.ts';
import type { Config } from '../config.ts';
import { LINK_INVALIDATIONS } from '../links/index.ts';
import type { ResponseCache } from '../plugins/use-response-cache.ts';
import type { SystemRuntime } from './systems.ts';

export interface GatewayChanges {
  changes: ChangeFeed;
  /** Stops the listeners; the feed itself is closed by its owner. */
  stop(): void;
}

export function createGatewayChanges(options: {
  config: Config;
  runtime: SystemRuntime;
  responses?: ResponseCache;
  namespace: string;
}): GatewayChanges {
  const { config, runtime, responses } = options;
  const invalidateRecords = createInvalidator({ systems: runtime.systems, caches: runtime.caches, links: LINK_INVALIDATIONS });
  // With Redis, replicas share event-id dedupe and fan-out; the cache is shared there too, so one invalidation serves all.
  const changes = createChangeFeed({
    // Whole responses go first: a response must never outlive the records it was built from.
    invalidate: async (event) => {
      responses?.invalidate(event);
      await invalidateRecords(event);
    },
    transport: config.cache.redisUrl
      ? createRedisTransport({
          url: config.cache.redisUrl,
          namespace: options.namespace,
          dedupeTtlSeconds: config.webhooks.dedupeTtlSeconds,
        })
      : undefined,
  });
  const listeners: AbortController[] = [];
  const listen = (apply: (event: ChangeEvent) => void) => {
    const stop = new AbortController();
    listeners.push(stop);
    void (async () => {
      for await (const event of changes.subscribe(stop.signal)) apply(event);
    })().catch(() => undefined);
  };
  // The invalidator runs on the one replica that claimed the event; the others hear of it here.
  if (responses && config.cache.redisUrl) listen((event) => responses.invalidate(event));
  // Shared state (Slack's user directory) follows every change this replica hears of (with Redis: any replica's).
  for (const state of Object.values(runtime.shared)) if (state?.applyChange) listen(state.applyChange);
  return {
    changes,
    stop: () => {
      for (const listener of listeners) listener.abort();
    },
  };
}
