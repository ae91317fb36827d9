/**
 * Turns the resilience configuration into per-system upstream client options: bulkhead
 * and breaker settings, and each system's quota budget (in Redis when REDIS_URL is set,
 * so replicas share it; in memory otherwise).
 *
 * Budgets default to the vendor's documented limits, under the vendor plan configured for the
 * system (HUBSPOT_PLAN, SLACK_APP_DISTRIBUTION), for systems pointed at a vendor, and
 * are off for systems the embedded sandbox serves (it has no quota to protect); an
 * UPSTREAM_BUDGET_<SYSTEM> setting overrides either.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { credentialScope } from '../cache/store.ts';
import type { Config } from '../config.ts';
import type { SystemName } from '../errors.ts';
import { createBudgetJournal, type BudgetJournal } from './budget-journal.ts';
import { createMemoryWindowStore, createQuotaBudget, createRedisWindowStore, type WindowStore, type QuotaBudget } from './budget.ts';
import type { UpstreamClientOptions } from './client.ts';

export interface ResilienceOptions {
  config: Config;
  upstreams: Record<SystemName, { credential: string }>;
  logger?: Logger;
  /** Key namespace in Redis, shared by replicas that share a quota. */
  namespace: string;
}

export interface Resilience {
  clientOptions(
    system: SystemName,
  ): Pick<UpstreamClientOptions, 'bulkhead' | 'bulkheadQueue' | 'breakerThreshold' | 'breakerHalfOpenMs' | 'budget'>;
  /** Resolves once the shared budget store is connected and this replica's calls are back in it. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createResilience(options: ResilienceOptions): Resilience {
  const { config, logger } = options;
  const settings = config.resilience;
  let redis: Redis | undefined;
  let store: WindowStore;
  let reseeded = Promise.resolve();
  let journal: BudgetJournal | undefined;
  if (config.cache.redisUrl) {
    // Its own connection, so budget scripts do not queue behind cache traffic. The store
    // bounds each script's wait, so a Redis outage costs a call at most that long.
    redis = new Redis(config.cache.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    redis.on('error', (error: Error) => logger?.warn({ err: error.message }, 'quota budget redis connection error'));
    store = createRedisWindowStore(redis, `${options.namespace}:budget:`);
    journal = createBudgetJournal(join(config.webhooks.dataDir, `${options.namespace.replace(/[^\w.-]/g, '_')}-budget-calls.log`));
    // Every (re)connection may meet a Redis that restarted empty: each replica puts its calls of
    // the last window back, so the vendor's window and the shared one agree again.
    redis.on('ready', () => {
      reseeded = Promise.all([...budgets.values()].map((budget) => budget.reseed())).then(() => undefined);
    });
  } else {
    store = createMemoryWindowStore();
  }

  const budgets = new Map<SystemName, QuotaBudget>();
  const budgetOf = (system: SystemName): QuotaBudget => {
    let budget = budgets.get(system);
    if (!budget) {
      const configured = settings.budgets[system];
      const override = configured ?? (config.sandboxSystems.includes(system) ? 'off' : undefined);
      const credential = options.upstreams[system].credential;
      budget = createQuotaBudget({
        system,
        scope: credentialScope(credential),
        credential,
        plan: settings.plans[system],
        override,
        store,
        maxWaitMs: settings.budgetMaxWaitMs,
        logger,
        journal,
      });
      budgets.set(system, budget);
    }
    return budget;
  };

  return {
    clientOptions(system) {
      return {
        bulkhead: settings.bulkhead,
        bulkheadQueue: settings.bulkheadQueue,
        breakerThreshold: settings.breakerThreshold,
        breakerHalfOpenMs: settings.breakerHalfOpenMs,
        budget: budgetOf(system),
      };
    },
    async ready() {
      const connection = redis;
      if (connection && connection.status !== 'ready') await new Promise((resolve) => connection.once('ready', resolve));
      await reseeded;
    },
    async close() {
      await store.close();
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
