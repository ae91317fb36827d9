/**
 * Alerts: thresholds over what the health model already knows, evaluated on its 1-second
 * sample (a quota budget running low, a breaker that stays open, webhooks falling behind)
 * and on each cross-system write that ends OUTCOME_UNKNOWN.
 *
 * An alert is raised once when its threshold is crossed — for a hold time, where the setting
 * has one — and stays active (listed by `integrationHealth.alerts`) until the condition clears;
 * only then can it be raised again. A condition that holds for an hour is one alert, not 3600.
 * Every raised alert leaves through one function (`announce`, given by the health model): the
 * warn log line and `switchboard_alerts_total` today, the outbound `integration.alert` webhook
 * once it exists.
 */
import { DEFAULT_ALERTS, type AlertsConfig } from '../config.ts';
import type { SystemName } from '../errors.ts';
import type { BreakerState } from '../upstream/client.ts';

/** The thresholds (ALERT_* settings, src/config): see AlertsConfig. */
export type AlertSettings = AlertsConfig;

export const DEFAULT_ALERT_SETTINGS: Readonly<AlertSettings> = DEFAULT_ALERTS;

export type AlertName = 'quota_low' | 'breaker_open' | 'webhook_lag' | 'outcome_unknown';

export interface Alert {
  name: AlertName;
  system: SystemName;
  /** When the condition began (for a hold time: before the alert was raised). */
  since: Date;
  /** What crossed which threshold, in words safe to show (no payload, no credential). */
  message: string;
  /** The same facts for the log line and, later, the outbound webhook. */
  facts: Record<string, string | number | null>;
}

/** One watched condition: since when it holds, and whether its alert is up. */
export interface Watch {
  breachedSince: number | undefined;
  raised: boolean;
}

export const newWatch = (): Watch => ({ breachedSince: undefined, raised: false });

/**
 * One sample of a condition: 'raise' the first time it has held for `holdMs` without a break,
 * 'clear' the first time it no longer holds after being raised, otherwise nothing.
 */
export function watchStep(watch: Watch, breached: boolean, at: number, holdMs: number): 'raise' | 'clear' | undefined {
  if (!breached) {
    watch.breachedSince = undefined;
    if (!watch.raised) return undefined;
    watch.raised = false;
    return 'clear';
  }
  watch.breachedSince ??= at;
  if (watch.raised || at - watch.breachedSince < holdMs) return undefined;
  watch.raised = true;
  return 'raise';
}

/** What the model read of each system and vendor at one sample. */
export interface AlertSample {
  at: number;
  systems: {
    system: SystemName;
    breaker: BreakerState;
    lastErrorCode: string | undefined;
    /** Per metered bucket: calls left at the last look and the bucket's limit. */
    budget: { bucket: string; left: number; limit: number }[];
  }[];
  webhooks: { system: SystemName; vendor: string; lagMs: number | null }[];
}

/** How a cross-system write ended, as the workflow engine settles it. */
export interface WorkflowSettled {
  workflow: string;
  outcome: 'SUCCEEDED' | 'FAILED' | 'COMPENSATED' | 'OUTCOME_UNKNOWN';
  /** The system of the step the outcome is about (the unknown step), when there is one. */
  system: SystemName | undefined;
  step: string | undefined;
  errorCode: string | undefined;
}

export interface AlertBoard {
  evaluate(sample: AlertSample): void;
  observeWorkflow(settled: WorkflowSettled, at: number): void;
  /** Alerts raised and not cleared, oldest first. */
  active(): Alert[];
}

interface Candidate {
  name: AlertName;
  system: SystemName;
  breached: boolean;
  holdMs: number;
  /** The alert's message and facts, built only when it is raised. */
  describe: () => { message: string; facts: Alert['facts'] };
}

const percent = (left: number, limit: number) => (limit > 0 ? (100 * left) / limit : 100);

type SystemSample = AlertSample['systems'][number];

function quotaCandidate(settings: AlertSettings, { system, budget }: SystemSample): Candidate {
  const [worst] = budget
    .filter((bucket) => percent(bucket.left, bucket.limit) < settings.quotaLeftPercent)
    .sort((a, b) => percent(a.left, a.limit) - percent(b.left, b.limit));
  return {
    name: 'quota_low',
    system,
    breached: worst !== undefined,
    holdMs: settings.quotaForSeconds * 1000,
    describe: () => {
      const { bucket, left, limit } = worst ?? { bucket: '', left: 0, limit: 0 };
      return {
        message: `${system} quota budget bucket ${bucket}: ${left} of ${limit} calls left, below ${settings.quotaLeftPercent} % for ${settings.quotaForSeconds} s`,
        facts: { bucket, left, limit, thresholdPercent: settings.quotaLeftPercent, forSeconds: settings.quotaForSeconds },
      };
    },
  };
}

function breakerCandidate(settings: AlertSettings, { system, breaker, lastErrorCode }: SystemSample): Candidate {
  const cause = lastErrorCode ? `, last error ${lastErrorCode}` : '';
  return {
    name: 'breaker_open',
    system,
    // Half-open is the same outage: a failed trial call opens it again, and "changed at" starts over.
    breached: breaker !== 'closed',
    holdMs: settings.breakerOpenSeconds * 1000,
    describe: () => ({
      message: `${system} breaker not closed for ${settings.breakerOpenSeconds} s (now ${breaker}${cause})`,
      facts: { breaker, lastError: lastErrorCode ?? null, thresholdSeconds: settings.breakerOpenSeconds },
    }),
  };
}

function lagCandidate(settings: AlertSettings, { system, vendor, lagMs }: AlertSample['webhooks'][number]): Candidate {
  const lagSeconds = Math.round((lagMs ?? 0) / 1000);
  return {
    name: 'webhook_lag',
    system,
    // The lag of the last accepted delivery: it clears when a delivery arrives on time again.
    breached: lagMs !== null && lagMs > settings.webhookLagSeconds * 1000,
    holdMs: 0,
    describe: () => ({
      message: `${vendor} webhooks arrive ${lagSeconds} s behind the vendor's event time (threshold ${settings.webhookLagSeconds} s)`,
      facts: { vendor, lagSeconds, thresholdSeconds: settings.webhookLagSeconds },
    }),
  };
}

function candidatesOf(settings: AlertSettings, sample: AlertSample): Candidate[] {
  return [
    ...sample.systems.flatMap((system) => [quotaCandidate(settings, system), breakerCandidate(settings, system)]),
    ...sample.webhooks.map((webhook) => lagCandidate(settings, webhook)),
  ];
}

export function createAlertBoard(settings: AlertSettings, announce: (alert: Alert) => void, cleared?: (alert: Alert) => void): AlertBoard {
  const watches = new Map<string, Watch>();
  const active = new Map<string, Alert>();

  function apply(key: string, candidate: Candidate, at: number): void {
    const watch = watches.get(key) ?? newWatch();
    watches.set(key, watch);
    const event = watchStep(watch, candidate.breached, at, candidate.holdMs);
    if (event === 'raise') {
      const alert: Alert = {
        name: candidate.name,
        system: candidate.system,
        since: new Date(watch.breachedSince ?? at),
        ...candidate.describe(),
      };
      active.set(key, alert);
      announce(alert);
    } else if (event === 'clear') {
      const alert = active.get(key);
      active.delete(key);
      if (alert) cleared?.(alert);
    }
  }

  return {
    evaluate(sample) {
      for (const candidate of candidatesOf(settings, sample)) apply(`${candidate.name}:${candidate.system}`, candidate, sample.at);
    },
    observeWorkflow(settled, at) {
      if (!settings.onOutcomeUnknown) return;
      const key = `outcome_unknown:${settled.workflow}`;
      // A later run of the same workflow that settles (a retry with the key, or the next write) clears it.
      const raisedFor = active.get(key)?.system;
      const system = settled.system ?? raisedFor;
      if (!system) return;
      apply(
        key,
        {
          name: 'outcome_unknown',
          system,
          breached: settled.outcome === 'OUTCOME_UNKNOWN',
          holdMs: 0,
          describe: () => ({
            message: `${settled.workflow} ended OUTCOME_UNKNOWN at step ${settled.step ?? '?'} (${settled.errorCode ?? 'no code'}): it may have been applied; a retry with the same idempotency key settles it`,
            facts: { workflow: settled.workflow, step: settled.step ?? null, errorCode: settled.errorCode ?? null },
          }),
        },
        at,
      );
    },
    active: () => [...active.values()].sort((a, b) => a.since.getTime() - b.since.getTime()),
  };
}
