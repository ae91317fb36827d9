/**
 * The integration health model behind `Query.integrationHealth`, the subscription
 * `integrationHealthChanged` and `GET /status`: per system its state now (rules in
 * ./state.ts), its breaker and when that last changed, its traffic over the last 5 and 60
 * minutes (./traffic.ts), 429s and the quota budget left; webhooks per vendor
 * (./webhooks.ts); the last catch-up; and the latest cross-system writes that did not
 * succeed, read from the audit log.
 *
 * Everything but the failed work is this replica's own view, kept in memory: the gateway
 * tells it each upstream attempt (`observeAttempt`), webhook delivery and catch-up. The
 * breaker has no change hook, so its state is sampled every `sampleEveryMs` (and whenever
 * the model is read): "changed at" is exact to that interval. Each sample also re-derives
 * every system's state and tells listeners of the systems whose state changed, sets the
 * state gauge and evaluates the alert thresholds (./alerts.ts). Each fact the model hears
 * also goes to the Prometheus metrics from here, once (src/observability/metrics.ts).
 */
import type { SystemName } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { HealthMetrics } from '../observability/metrics.ts';
import type { AuditLog, AuditOutcome, AuditRecord } from '../store/index.ts';
import type { BreakerState, LastUpstreamError, UpstreamAttemptEvent } from '../upstream/client.ts';
import type { QuotaBudget } from '../upstream/budget.ts';
import { deriveState, RECENT_MS, type HealthState, type RecentCalls } from './state.ts';
import { createTrafficRing, type TrafficRing, type TrafficWindow } from './traffic.ts';
import { createWebhookTally, type WebhookDelivery, type WebhookHealth, type WebhookVerdict } from './webhooks.ts';
import { createFleet, type ReplicaHealth } from './fleet.ts';
import {
  createAlertBoard,
  DEFAULT_ALERT_SETTINGS,
  type Alert,
  type AlertSample,
  type AlertSettings,
  type WorkflowSettled,
} from './alerts.ts';

export type { Alert, HealthState, ReplicaHealth, WebhookDelivery, WebhookHealth };

/** Recent attempts kept per system for its state (the per-minute ring keeps the figures). */
const RECENT_ATTEMPTS = 500;
/** The writes `failedWork` lists at most. */
export const FAILED_WORK_LIMIT = 20;
const FAILED_OUTCOMES: readonly AuditOutcome[] = ['failed', 'compensated', 'outcome_unknown'];
/** Codes that say the vendor or the way to it failed; anything else is a caller's mistake or the caller leaving. */
const FAILURE_CODES = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE', 'UPSTREAM_VERSION_MISMATCH']);

/** What the model reads of one system's upstream client. */
export interface HealthClient {
  readonly breakerState: BreakerState;
  readonly lastError: LastUpstreamError | undefined;
  readonly budget: (Pick<QuotaBudget, 'enabled' | 'left'> & Partial<Pick<QuotaBudget, 'limits'>>) | undefined;
}

export interface HealthSystem {
  name: SystemName;
  label: string;
  /** The path segment of `POST /webhooks/<vendor>`, for a system that receives webhooks. */
  vendor?: string;
}

export interface HealthModelOptions {
  systems: readonly HealthSystem[];
  /** Each system's upstream client; undefined while the gateway is still building them (read as closed and unmetered). */
  clients: () => Readonly<Record<SystemName, HealthClient>> | undefined;
  audit: Pick<AuditLog, 'list'>;
  /** With several replicas: where each reports its states (the fleet view); unset, the fleet is this replica. */
  redisUrl?: string;
  /** Key namespace in Redis. */
  namespace?: string;
  /** Default 1000. */
  sampleEveryMs?: number;
  /** Epoch ms (default Date.now). */
  now?: () => number;
  /** Where the model's facts go as Prometheus metrics. */
  metrics?: HealthMetrics;
  /** Where raised and cleared alerts are logged. */
  logger?: Logger;
  /** Alert thresholds (./alerts.ts); default DEFAULT_ALERT_SETTINGS. */
  alerts?: AlertSettings;
}

/** A cross-system write as the workflow engine settles it: the run and its audit outcome. */
export interface SettledRun {
  operation: string;
  steps: readonly { name: string; system: SystemName; status: string }[];
  error: { code: string; step?: string | null } | null;
}

export interface SystemHealth {
  system: SystemName;
  label: string;
  state: HealthState;
  reason: string;
  stateSince: Date;
  breaker: BreakerState;
  breakerChangedAt: Date;
  lastError: LastUpstreamError | null;
  last5Minutes: TrafficWindow;
  last60Minutes: TrafficWindow;
  /** 429s in the last 60 minutes. */
  rateLimited: number;
  /** Calls left per budget bucket; null when the system is unmetered. */
  budgetLeft: { bucket: string; left: number }[] | null;
}

export interface CatchUpRun {
  at: Date;
  changes: number;
  systems: { system: SystemName; changes: number; behindMs: number | null }[];
}

export interface FailedWork {
  id: string;
  operation: string;
  outcome: 'FAILED' | 'COMPENSATED' | 'OUTCOME_UNKNOWN';
  startedAt: Date;
  finishedAt: Date;
  principal: string;
  requestId: string | null;
  idempotencyKey: string | null;
  errorCode: string | null;
  steps: { name: string; status: string }[];
}

export interface HealthChange {
  system: SystemName;
  previousState: HealthState;
  state: HealthState;
  reason: string;
  at: Date;
}

export interface HealthModel {
  observeAttempt(event: UpstreamAttemptEvent): void;
  observeWebhook(delivery: WebhookDelivery): void;
  /** A cross-system write ended (not a replay): counted, and an OUTCOME_UNKNOWN alerted. */
  observeWorkflow(run: SettledRun, outcome: AuditOutcome): void;
  /** Alerts raised and not cleared yet, oldest first. */
  alerts(): Alert[];
  /** Runs a catch-up, remembering when, how many changes and how far behind each system's cursor was. */
  trackCatchUp<R extends Partial<Record<SystemName, number>>>(
    cursor: { get(system: SystemName): Promise<number | undefined> },
    run: () => Promise<R>,
  ): Promise<R>;
  systems(): SystemHealth[];
  webhooks(): WebhookHealth[];
  lastCatchUp(): CatchUpRun | null;
  failedWork(limit?: number): Promise<FailedWork[]>;
  /** Every replica's states, as each last reported them (see ./fleet.ts). */
  replicas(): Promise<ReplicaHealth[]>;
  /** Calls `listener` on every change of a system's state; returns the unsubscribe. */
  onChange(listener: (change: HealthChange) => void): () => void;
  close(): Promise<void>;
}

interface Attempt {
  at: number;
  failed: boolean;
  rateLimited: boolean;
  code?: string;
}

interface Tracked {
  system: HealthSystem;
  traffic: TrafficRing;
  recent: Attempt[];
  breaker: BreakerState;
  breakerChangedAt: number;
  state: HealthState;
  reason: string;
  stateSince: number;
}

const UNBUILT: HealthClient = { breakerState: 'closed', lastError: undefined, budget: undefined };

function isFailure(event: UpstreamAttemptEvent): boolean {
  if (typeof event.status === 'number' && event.status >= 500) return true;
  if (event.errorCode && FAILURE_CODES.has(event.errorCode)) return true;
  // No HTTP answer and not the caller leaving: a refused or broken connection.
  return event.status === 'error' && event.errorCode !== 'CLIENT_CLOSED_REQUEST' && event.errorCode !== 'RATE_LIMITED';
}

function budgetOf(client: HealthClient): { bucket: string; left: number }[] | null {
  if (!client.budget?.enabled) return null;
  return Object.entries(client.budget.left()).map(([bucket, left]) => ({ bucket, left }));
}

function failedWorkOf(record: AuditRecord): FailedWork {
  const result = (record.result ?? {}) as { steps?: unknown };
  const steps = Array.isArray(result.steps)
    ? result.steps.map((step) => ({
        name: String((step as { name?: unknown }).name),
        status: String((step as { status?: unknown }).status),
      }))
    : [];
  return {
    id: record.id,
    operation: record.operation,
    outcome: record.outcome.toUpperCase() as FailedWork['outcome'],
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    principal: record.principal,
    requestId: record.requestId ?? null,
    idempotencyKey: record.idempotencyKey ?? null,
    errorCode: record.errorCode ?? null,
    steps,
  };
}

function newEntry(system: HealthSystem, at: number): Tracked {
  return {
    system,
    traffic: createTrafficRing(),
    recent: [],
    breaker: 'closed',
    breakerChangedAt: at,
    state: 'HEALTHY',
    reason: 'no recent calls; breaker closed',
    stateSince: at,
  };
}

/** The attempts of the last RECENT_MS since the breaker last changed state (see ./state.ts). */
function recentCalls(entry: Tracked, at: number): RecentCalls {
  const from = Math.max(at - RECENT_MS, entry.breakerChangedAt);
  const recent = entry.recent.filter((attempt) => attempt.at >= from);
  const failures = recent.filter((attempt) => attempt.failed);
  return {
    attempts: recent.length,
    failures: failures.length,
    rateLimited: recent.filter((attempt) => attempt.rateLimited).length,
    lastFailureCode: failures.at(-1)?.code,
  };
}

function recordAttempt(entry: Tracked, event: UpstreamAttemptEvent, at: number): void {
  const failed = isFailure(event);
  const rateLimited = event.status === 429;
  entry.traffic.record({ at, durationMs: event.durationMs, failed, rateLimited });
  entry.recent.push({ at, failed, rateLimited, code: failed ? (event.errorCode ?? String(event.status)) : undefined });
  if (entry.recent.length > RECENT_ATTEMPTS) entry.recent.splice(0, entry.recent.length - RECENT_ATTEMPTS);
}

/** Reads the breaker, re-derives the state; the change, when the state changed. */
function sampleEntry(entry: Tracked, client: HealthClient, at: number): HealthChange | undefined {
  const breaker = client.breakerState;
  if (breaker !== entry.breaker) Object.assign(entry, { breaker, breakerChangedAt: at });
  const exhaustedBuckets = (budgetOf(client) ?? []).filter((b) => b.left <= 0).map((b) => b.bucket);
  const verdict = deriveState({ breaker, recent: recentCalls(entry, at), exhaustedBuckets, lastErrorCode: client.lastError?.code });
  entry.reason = verdict.reason;
  if (verdict.state === entry.state) return undefined;
  const change: HealthChange = {
    system: entry.system.name,
    previousState: entry.state,
    state: verdict.state,
    reason: verdict.reason,
    at: new Date(at),
  };
  Object.assign(entry, { state: verdict.state, stateSince: at });
  return change;
}

function healthOf(entry: Tracked, client: HealthClient, at: number): SystemHealth {
  const last60Minutes = entry.traffic.window(60, at);
  return {
    system: entry.system.name,
    label: entry.system.label,
    state: entry.state,
    reason: entry.reason,
    stateSince: new Date(entry.stateSince),
    breaker: entry.breaker,
    breakerChangedAt: new Date(entry.breakerChangedAt),
    lastError: client.lastError ?? null,
    last5Minutes: entry.traffic.window(5, at),
    last60Minutes,
    rateLimited: last60Minutes.rateLimited,
    budgetLeft: budgetOf(client),
  };
}

async function listFailedWork(audit: Pick<AuditLog, 'list'>, limit: number): Promise<FailedWork[]> {
  const pages = await Promise.all(FAILED_OUTCOMES.map((outcome) => audit.list({ first: limit, filter: { outcome } })));
  return pages
    .flatMap((page) => page.records)
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
    .slice(0, limit)
    .map(failedWorkOf);
}

/** What the alert thresholds are checked against at one sample. */
function alertSampleOf(
  entries: Iterable<Tracked>,
  clientOf: (system: SystemName) => HealthClient,
  webhooks: WebhookHealth[],
  at: number,
): AlertSample {
  const systems = [...entries].map((entry) => {
    const client = clientOf(entry.system.name);
    const limits = client.budget?.limits?.() ?? {};
    const budget = (budgetOf(client) ?? []).flatMap(({ bucket, left }) =>
      limits[bucket] ? [{ bucket, left, limit: limits[bucket] }] : [],
    );
    return { system: entry.system.name, breaker: entry.breaker, lastErrorCode: client.lastError?.code, budget };
  });
  return { at, systems, webhooks: webhooks.map(({ system, vendor, lagMs }) => ({ system, vendor, lagMs })) };
}

/**
 * The one way out for an alert (see ./alerts.ts): a warn line with its stable name and facts,
 * and `switchboard_alerts_total`. The outbound `integration.alert` webhook, once it exists, goes here.
 */
function announceAlert(options: Pick<HealthModelOptions, 'logger' | 'metrics'>, alert: Alert): void {
  options.logger?.warn(
    { ...alert.facts, alert: alert.name, system: alert.system, since: alert.since.toISOString() },
    `alert ${alert.name}: ${alert.message}`,
  );
  options.metrics?.observeAlert(alert.name, alert.system);
}

/** The alert board, its raises announced and its clears logged. */
function alertBoardOf(options: HealthModelOptions) {
  return createAlertBoard(
    options.alerts ?? DEFAULT_ALERT_SETTINGS,
    (alert) => announceAlert(options, alert),
    (alert) => options.logger?.info({ alert: alert.name, system: alert.system, cleared: true }, `alert ${alert.name} cleared`),
  );
}

/** One delivery as the tally counted it, into the metrics (a duplicate's lag is its retry's, not a second observation). */
function countWebhook(metrics: HealthMetrics | undefined, delivery: WebhookDelivery, verdict: WebhookVerdict): void {
  if (verdict.outcome === 'unknown-vendor') return;
  const lagSeconds = verdict.outcome === 'accepted' && verdict.lagMs !== undefined ? verdict.lagMs / 1000 : undefined;
  metrics?.observeWebhook(delivery.vendor, verdict.outcome, verdict.outcome === 'rejected' ? delivery.outcome : undefined, lagSeconds);
}

function settledOf(run: SettledRun, outcome: AuditOutcome): WorkflowSettled {
  const step = run.steps.find((each) => each.name === run.error?.step) ?? run.steps.find((each) => each.status === 'OUTCOME_UNKNOWN');
  return {
    workflow: run.operation,
    outcome: outcome.toUpperCase() as WorkflowSettled['outcome'],
    system: (step ?? run.steps[0])?.system,
    step: step?.name,
    errorCode: run.error?.code,
  };
}

/** Runs a catch-up; what it caught up, with how far behind each system's cursor was when it began. */
async function catchUpOf<R extends Partial<Record<SystemName, number>>>(
  systems: readonly HealthSystem[],
  cursor: { get(system: SystemName): Promise<number | undefined> },
  run: () => Promise<R>,
  before: number,
): Promise<{ report: R; catchUp: CatchUpRun }> {
  const cursors = await Promise.all(systems.map(async ({ name }) => [name, await cursor.get(name)] as const));
  const report = await run();
  const caught = cursors.flatMap(([system, since]) =>
    report[system] === undefined
      ? []
      : [{ system, changes: report[system] ?? 0, behindMs: since === undefined ? null : Math.max(0, before - since) }],
  );
  return { report, catchUp: { at: new Date(before), changes: caught.reduce((sum, s) => sum + s.changes, 0), systems: caught } };
}

export function createHealthModel(options: HealthModelOptions): HealthModel {
  const now = options.now ?? Date.now;
  const listeners = new Set<(change: HealthChange) => void>();
  const started = now();
  const tracked = new Map<SystemName, Tracked>(options.systems.map((system) => [system.name, newEntry(system, started)]));
  const webhookTally = createWebhookTally(options.systems.flatMap(({ name, vendor }) => (vendor ? [{ system: name, vendor }] : [])));
  let catchUp: CatchUpRun | null = null;
  const clientOf = (system: SystemName): HealthClient => options.clients()?.[system] ?? UNBUILT;
  const { metrics } = options;
  const board = alertBoardOf(options);

  /** Reads each breaker, re-derives each state, tells listeners what changed, and checks the alert thresholds. */
  function sample(): void {
    const at = now();
    for (const entry of tracked.values()) {
      const change = sampleEntry(entry, clientOf(entry.system.name), at);
      if (change) for (const listener of listeners) listener(change);
      metrics?.observeIntegrationState(entry.system.name, entry.state);
    }
    board.evaluate(alertSampleOf(tracked.values(), clientOf, webhookTally.list(), at));
  }

  const fleet = createFleet({
    redisUrl: options.redisUrl,
    namespace: options.namespace ?? 'switchboard',
    snapshot: () => {
      sample();
      return [...tracked.values()].map((entry) => ({ system: entry.system.name, state: entry.state, reason: entry.reason }));
    },
  });
  const timer = setInterval(sample, options.sampleEveryMs ?? 1_000);
  // Never keeps a process alive that is otherwise done.
  timer.unref();

  return {
    observeAttempt(event) {
      const entry = tracked.get(event.system);
      // A caller that joined another's read made no call of its own.
      if (entry && !event.coalesced) recordAttempt(entry, event, now());
    },
    observeWebhook: (delivery) => countWebhook(metrics, delivery, webhookTally.observe(delivery, now())),
    observeWorkflow(run, outcome) {
      if (outcome === 'replayed' || outcome === 'rejected') return;
      const settled = settledOf(run, outcome);
      metrics?.observeWorkflow(settled.workflow, settled.outcome);
      board.observeWorkflow(settled, now());
    },
    alerts: () => board.active(),
    async trackCatchUp(cursor, run) {
      const result = await catchUpOf(options.systems, cursor, run, now());
      catchUp = result.catchUp;
      metrics?.observeCatchUp(
        catchUp.at,
        catchUp.systems.map(({ behindMs, ...rest }) => ({ ...rest, behindSeconds: behindMs === null ? null : behindMs / 1000 })),
      );
      return result.report;
    },
    systems() {
      sample();
      const at = now();
      return [...tracked.values()].map((entry) => healthOf(entry, clientOf(entry.system.name), at));
    },
    webhooks: () => webhookTally.list(),
    lastCatchUp: () => catchUp,
    failedWork: (limit = FAILED_WORK_LIMIT) => listFailedWork(options.audit, limit),
    replicas: () => fleet.list(),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      clearInterval(timer);
      listeners.clear();
      await fleet.close();
    },
  };
}
