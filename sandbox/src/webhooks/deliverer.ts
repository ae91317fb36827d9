/**
 * Delivers one vendor's webhooks to the targets registered through the admin API, the way
 * the vendor does: a fresh signature per attempt, retries with backoff on failure, and —
 * by knob — duplicate and out-of-order deliveries. The vendor modules (hubspot.ts,
 * stripe.ts, slack.ts) say what a delivery looks like; this module says when it is sent.
 *
 * Real retry schedules span hours; the sandbox compresses them (`retryDelaysMs`) so tests
 * and demos see them happen.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface WebhookSettings {
  /** Delay before each retry; its length is the number of retries. */
  retryDelaysMs: number[];
  /** An attempt not answered within this is a failure (Slack: 3 s). */
  ackTimeoutMs: number;
  /** Share (0–1) of successful deliveries sent a second time. */
  duplicateRate: number;
  /** Hold deliveries this many ms and send them newest first (0: in order). */
  reorderWindowMs: number;
  /** Stop delivering (a vendor-side outage); nothing queued while paused is ever sent. */
  paused: boolean;
}

export interface OutgoingDelivery {
  /** Vendor event ids in this delivery, for the log. */
  ids: string[];
  /** The request for one attempt (0 = first) to one target; bodies may differ per attempt. */
  build(target: WebhookTarget, attempt: number, reason: string | undefined): { body: string; headers: Record<string, string> };
  /** Statuses the vendor does not retry (HubSpot: 400/401/403/404/405). */
  noRetry?: (status: number) => boolean;
}

export interface DeliveryLogEntry {
  at: number;
  url: string;
  ids: string[];
  attempt: number;
  /** HTTP status, or 0 when the target did not answer (refused, timed out). */
  status: number;
  error?: string;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  retryDelaysMs: [200, 1000, 3000],
  ackTimeoutMs: 10_000,
  duplicateRate: 0,
  reorderWindowMs: 0,
  paused: false,
};

export class WebhookDeliverer {
  readonly targets = new Map<string, WebhookTarget>();
  readonly log: DeliveryLogEntry[] = [];
  settings: WebhookSettings;
  private readonly aborter = new AbortController();
  private held: OutgoingDelivery[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  /** Attempt chains not yet ended: being sent, or waiting for their next retry. */
  private inFlight = 0;

  constructor(private readonly defaults: WebhookSettings) {
    this.settings = { ...defaults, retryDelaysMs: [...defaults.retryDelaysMs] };
    // Every attempt in flight and every retry waiting listens for close: with a receiver down, dozens is normal, not a leak.
    setMaxListeners(0, this.aborter.signal);
  }

  send(delivery: OutgoingDelivery): void {
    if (this.settings.paused || this.targets.size === 0) return;
    if (this.settings.reorderWindowMs <= 0) return this.dispatch(delivery);
    this.held.push(delivery);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const batch = this.held.reverse();
      this.held = [];
      for (const d of batch) this.dispatch(d);
    }, this.settings.reorderWindowMs);
  }

  /** Deliveries not yet settled (held for reordering, being sent or waiting to be retried), one per target. */
  get pending(): number {
    return this.held.length * this.targets.size + this.inFlight;
  }

  reset(): void {
    this.targets.clear();
    this.log.length = 0;
    this.settings = { ...this.defaults, retryDelaysMs: [...this.defaults.retryDelaysMs] };
  }

  close(): void {
    this.aborter.abort();
    clearTimeout(this.flushTimer);
  }

  private dispatch(delivery: OutgoingDelivery): void {
    for (const target of this.targets.values()) this.track(this.attempt(delivery, target, 0, undefined, false));
  }

  private track(chain: Promise<void>): void {
    this.inFlight++;
    void chain.finally(() => this.inFlight--);
  }

  private async attempt(
    delivery: OutgoingDelivery,
    target: WebhookTarget,
    attempt: number,
    reason: string | undefined,
    duplicate: boolean,
  ): Promise<void> {
    if (this.aborter.signal.aborted || !this.targets.has(target.url)) return;
    const { body, headers } = delivery.build(target, attempt, reason);
    let status = 0;
    let error: string | undefined;
    try {
      const signal = AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.settings.ackTimeoutMs)]);
      const response = await fetch(target.url, { method: 'POST', headers, body, signal, redirect: 'manual' });
      status = response.status;
      await response.body?.cancel();
    } catch (e) {
      error = e instanceof Error && e.name === 'TimeoutError' ? 'http_timeout' : 'connection_failed';
    }
    if (this.aborter.signal.aborted) return;
    this.log.push({ at: Date.now(), url: target.url, ids: delivery.ids, attempt, status, ...(error ? { error } : {}) });
    if (this.log.length > 1000) this.log.splice(0, this.log.length - 1000);
    // 3xx counts as a failure at every vendor.
    if (status >= 200 && status < 300) {
      if (!duplicate && this.settings.duplicateRate > 0 && Math.random() < this.settings.duplicateRate) {
        this.track(this.attempt(delivery, target, 0, undefined, true));
      }
      return;
    }
    if (status !== 0 && delivery.noRetry?.(status)) return;
    const delay = this.settings.retryDelaysMs[attempt];
    if (delay === undefined) return;
    try {
      await sleep(delay, undefined, { signal: this.aborter.signal });
    } catch {
      return;
    }
    await this.attempt(delivery, target, attempt + 1, error ?? 'http_error', duplicate);
  }
}
