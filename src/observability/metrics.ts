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

export interface GatewayMetrics extends HealthMetrics {
  registry: Registry;
  observeOperation(operation: string | undefined, seconds: number, outcome: 'ok' | 'error'): void;
  observeUpstream(event: UpstreamAttemptEvent): void;
  observeResponseCache(result: 'hit' | 'miss' | 'coalesced'): void;
  observeAdmissionRejected(reason: 'queue-full' | 'deadline'): void;
  /** One operation used a deprecated field or enum value (`Deal.amount`); principal is its id, never a secret. */
  observeDeprecatedUse(field: string, principal: string, operation: string | undefined): void;
}

/** What the health model (src/health) tells the metrics as it hears it: one call per fact, never a second detection. */
export interface HealthMetrics {
  /** One webhook delivery: accepted, duplicate (every event already seen) or rejected for `reason`; lag for an accepted one. */
  observeWebhook(vendor: string, outcome: 'accepted' | 'duplicate' | 'rejected', reason?: string, lagSeconds?: number): void;
  /** A catch-up ran: when, how far behind each cursor was (seconds; null on a first start) and the changes per system. */
  observeCatchUp(at: Date, systems: readonly { system: string; changes: number; behindSeconds: number | null }[]): void;
  observeWorkflow(workflow: string, outcome: 'SUCCEEDED' | 'FAILED' | 'COMPENSATED' | 'OUTCOME_UNKNOWN'): void;
  /** A system's health state at a sample: 1 for `state`, 0 for the others. */
  observeIntegrationState(system: string, state: string): void;
  observeAlert(alert: string, system: string): void;
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
  const health = createHealthMetrics(registry);
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
    ...health,
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

const WEBHOOK_LAG_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];
const INTEGRATION_STATES = ['HEALTHY', 'DEGRADED', 'DOWN', 'THROTTLED'] as const;

/** The integration health page's facts as metrics: webhooks, catch-up, cross-system writes, states and alerts. */
function createHealthMetrics(registry: Registry): HealthMetrics {
  const registers = [registry];
  const webhooks = new Counter({
    name: 'switchboard_webhook_deliveries_total',
    help: 'Webhook deliveries by vendor and outcome (accepted, duplicate, rejected), with the reason of a rejection (signature, stale, malformed).',
    labelNames: ['vendor', 'outcome', 'reason'],
    registers,
  });
  const lag = new Histogram({
    name: 'switchboard_webhook_lag_seconds',
    help: "How far behind the vendor's event time an accepted webhook delivery arrived (its newest event).",
    labelNames: ['vendor'],
    buckets: WEBHOOK_LAG_BUCKETS,
    registers,
  });
  const catchUpAt = new Gauge({
    name: 'switchboard_catchup_last_timestamp_seconds',
    help: 'When the last catch-up began (Unix time).',
    registers,
  });
  const catchUpBehind = new Gauge({
    name: 'switchboard_catchup_behind_seconds',
    help: "How far behind each system's cursor was when the last catch-up began (absent on a first start).",
    labelNames: ['system'],
    registers,
  });
  const catchUpChanges = new Counter({
    name: 'switchboard_catchup_changes_total',
    help: "Changes published by catch-ups, by system (read from the vendors' change feeds).",
    labelNames: ['system'],
    registers,
  });
  const workflows = new Counter({
    name: 'switchboard_workflow_runs_total',
    help: 'Cross-system writes that ran to an end, by workflow and outcome (SUCCEEDED, FAILED, COMPENSATED, OUTCOME_UNKNOWN).',
    labelNames: ['workflow', 'outcome'],
    registers,
  });
  const states = new Gauge({
    name: 'switchboard_integration_state',
    help: "Each system's health state (as on /status): 1 for the current state, 0 for the others.",
    labelNames: ['system', 'state'],
    registers,
  });
  const alerts = new Counter({
    name: 'switchboard_alerts_total',
    help: 'Alerts raised (once per threshold crossing), by alert name and system.',
    labelNames: ['alert', 'system'],
    registers,
  });
  return {
    observeWebhook(vendor, outcome, reason, lagSeconds) {
      webhooks.inc(reason ? { vendor, outcome, reason } : { vendor, outcome });
      if (lagSeconds !== undefined) lag.observe({ vendor }, lagSeconds);
    },
    observeCatchUp(at, systems) {
      catchUpAt.set(at.getTime() / 1000);
      for (const { system, changes, behindSeconds } of systems) {
        catchUpChanges.inc({ system }, changes);
        if (behindSeconds === null) catchUpBehind.remove({ system });
        else catchUpBehind.set({ system }, behindSeconds);
      }
    },
    observeWorkflow: (workflow, outcome) => workflows.inc({ workflow, outcome }),
    observeIntegrationState(system, state) {
      for (const each of INTEGRATION_STATES) states.set({ system, state: each }, each === state ? 1 : 0);
    },
    observeAlert: (alert, system) => alerts.inc({ alert, system }),
  };
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
