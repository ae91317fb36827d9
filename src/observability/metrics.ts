/**
 * Prometheus metrics, one registry per gateway (tests build many gateways in one process,
 * and prom-client's global registry would mix them). Served at `/metrics` by use-metrics.
 *
 * Labels are bounded: routes are the connectors' templates, systems are three, and
 * operation names — chosen by clients — are kept only while fewer than MAX_OPERATIONS
 * distinct ones have been seen; the rest count as `other`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheStats } from '../cache/store.ts';
import type { SystemName } from '../errors.ts';
import type { BreakerState, ResilientUpstreamClient } from '../upstream/client.ts';
import type { UpstreamAttemptEvent } from '../upstream/types.ts';

const MAX_OPERATIONS = 200;
const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface GatewayMetrics {
  registry: Registry;
  observeOperation(operation: string | undefined, seconds: number, outcome: 'ok' | 'error'): void;
  observeUpstream(event: UpstreamAttemptEvent): void;
  observeResponseCache(result: 'hit' | 'miss' | 'coalesced'): void;
  observeAdmissionRejected(reason: 'queue-full' | 'deadline'): void;
  /** One operation used a deprecated field or enum value (`Deal.amount`); principal is its id, never a secret. */
  observeDeprecatedUse(field: string, principal: string, operation: string | undefined): void;
}

export interface MetricsSources {
  upstream: () => Record<SystemName, ResilientUpstreamClient> | undefined;
  cacheStats: () => Readonly<CacheStats> | undefined;
  admission: () => { active: number; queued: number } | undefined;
}

export function createMetrics(sources: MetricsSources): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'switchboard_' });
  const seenOperations = new Set<string>();

  const counters = createOperationCounters(registry);
  registerScrapeGauges(registry, sources);

  const operationLabel = (name: string | undefined): string => {
    if (!name) return 'anonymous';
    if (seenOperations.has(name)) return name;
    if (seenOperations.size >= MAX_OPERATIONS || !/^\w{1,64}$/.test(name)) return 'other';
    seenOperations.add(name);
    return name;
  };

  return {
    registry,
    observeOperation(operation, seconds, outcome) {
      const label = operationLabel(operation);
      counters.requests.inc({ operation: label, outcome });
      counters.latency.observe({ operation: label }, seconds);
    },
    observeUpstream(event) {
      if (event.coalesced) return;
      counters.upstreamRequests.inc({ system: event.system, route: event.route, status: String(event.status) });
      counters.upstreamLatency.observe({ system: event.system, route: event.route }, event.durationMs / 1000);
    },
    observeResponseCache(result) {
      counters.responseCache.inc({ result });
    },
    observeAdmissionRejected(reason) {
      counters.admissionRejected.inc({ reason });
    },
    observeDeprecatedUse(field, principal, operation) {
      counters.deprecatedUse.inc({ field, principal, operation: operationLabel(operation) });
    },
  };
}

/** What the gateway counts as it happens: operations, upstream attempts, response-cache results, rejections. */
function createOperationCounters(registry: Registry) {
  const requests = new Counter({
    name: 'switchboard_graphql_requests_total',
    help: 'GraphQL operations executed, by operation name and outcome.',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'switchboard_graphql_request_duration_seconds',
    help: 'GraphQL execution time by operation name.',
    labelNames: ['operation'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const upstreamRequests = new Counter({
    name: 'switchboard_upstream_requests_total',
    help: 'Upstream HTTP attempts by system, route and status (error = no HTTP response).',
    labelNames: ['system', 'route', 'status'],
    registers: [registry],
  });
  const upstreamLatency = new Histogram({
    name: 'switchboard_upstream_request_duration_seconds',
    help: 'Upstream HTTP attempt time by system and route.',
    labelNames: ['system', 'route'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const responseCache = new Counter({
    name: 'switchboard_response_cache_total',
    help: 'Query results by whether the response cache answered them (hit), they were executed (miss), or they took the answer of an identical execution in flight (coalesced).',
    labelNames: ['result'],
    registers: [registry],
  });
  const admissionRejected = new Counter({
    name: 'switchboard_operations_rejected_total',
    help: 'Operations answered OVERLOADED: the wait queue was full, or the deadline passed while waiting.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const deprecatedUse = new Counter({
    name: 'switchboard_deprecated_field_usage_total',
    help: 'Operations that used a deprecated field or enum value, by its schema coordinate, principal and operation name.',
    labelNames: ['field', 'principal', 'operation'],
    registers: [registry],
  });
  return { requests, latency, upstreamRequests, upstreamLatency, responseCache, admissionRejected, deprecatedUse };
}

/** Gauges read at scrape time from the gateway's parts: admission load, cache totals, breakers, budgets. */
function registerScrapeGauges(registry: Registry, sources: MetricsSources): void {
  let reported = { hits: 0, misses: 0 };
  new Gauge({
    name: 'switchboard_operations',
    help: 'Queries and mutations executing (state=active) and waiting for a slot (state=queued).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const load = sources.admission();
      if (!load) return;
      this.set({ state: 'active' }, load.active);
      this.set({ state: 'queued' }, load.queued);
    },
  });
  const cacheHits = new Counter({ name: 'switchboard_cache_hits_total', help: 'Cross-request cache hits.', registers: [registry] });
  const cacheMisses = new Counter({ name: 'switchboard_cache_misses_total', help: 'Cross-request cache misses.', registers: [registry] });
  new Gauge({
    name: 'switchboard_cache_collector',
    help: 'Always 1; keeps the cache counters current at scrape time.',
    registers: [registry],
    collect() {
      this.set(1);
      const stats = sources.cacheStats();
      if (!stats) return;
      // The store keeps running totals; the counters advance by what happened since the last scrape.
      if (stats.hits > reported.hits) cacheHits.inc(stats.hits - reported.hits);
      if (stats.misses > reported.misses) cacheMisses.inc(stats.misses - reported.misses);
      reported = { hits: stats.hits, misses: stats.misses };
    },
  });
  new Gauge({
    name: 'switchboard_upstream_breaker_state',
    help: 'Circuit breaker per system: 0 closed, 1 half-open, 2 open.',
    labelNames: ['system'],
    registers: [registry],
    collect() {
      for (const [system, client] of Object.entries(sources.upstream() ?? {})) this.set({ system }, BREAKER_VALUE[client.breakerState]);
    },
  });
  new Gauge({
    name: 'switchboard_upstream_joined_reads',
    help: 'Reads waiting right now on an identical upstream call another request began, instead of calling again.',
    labelNames: ['system'],
    registers: [registry],
    collect() {
      for (const [system, client] of Object.entries(sources.upstream() ?? {})) this.set({ system }, client.joinedReads);
    },
  });
  new Gauge({
    name: 'switchboard_upstream_budget_left',
    help: 'Vendor-quota slots left per system and bucket in the current window, at the last call.',
    labelNames: ['system', 'bucket'],
    registers: [registry],
    collect() {
      for (const [system, client] of Object.entries(sources.upstream() ?? {})) {
        for (const [bucket, left] of Object.entries(client.budget?.left() ?? {})) this.set({ system, bucket }, left);
      }
    },
  });
}
