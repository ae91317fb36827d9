/**
 * Alerts and the health metrics over real HTTP against the in-process gateway and the real
 * sandbox vendors: a billing outage (the sandbox's chaos knob) held past ALERT_BREAKER_OPEN_SECONDS
 * raises `breaker_open` once — in integrationHealth.alerts, the log and /metrics — and it clears
 * on recovery; a tiny CRM quota budget raises `quota_low` once; webhook deliveries and a failing
 * winDeal move their metrics. Every wait is on a cause, never a clock. Beside them, a property of
 * the raise-once/clear logic over random sequences of threshold samples.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SANDBOX_WEBHOOK_SECRETS, stripeSignatureHeader } from '@switchboard/sandbox';
import { loadConfig } from '../src/config.ts';
import { createAlertBoard, DEFAULT_ALERT_SETTINGS, newWatch, watchStep, type Alert, type WorkflowSettled } from '../src/health/alerts.ts';
import { captureLog, LEVEL, type CapturedLog } from './support/log-capture.ts';
import { sandboxAdmin, serve, type Served } from './support/live.ts';
import { metric, NO_CACHE_ENV, startStack, type Stack } from './support/stack.ts';
import { openDeals, WIN_DEAL, type WinDealResult } from './writes-support.ts';

const ALERTS = '{ integrationHealth { alerts { name system since message } } }';
const BILLING_READ = '{ customers(first: 1) { nodes { id } } }';
const CRM_READ = '{ contacts(first: 1) { nodes { id } } }';

interface AlertRow {
  name: string;
  system: string;
  since: string;
  message: string;
}

async function alerts(stack: Stack): Promise<AlertRow[]> {
  const result = await stack.query<{ integrationHealth: { alerts: AlertRow[] } }>(ALERTS);
  expect(result.errors).toBeUndefined();
  return result.data!.integrationHealth.alerts;
}

const warnLines = (log: CapturedLog, name: string, system: string) =>
  log.lines.filter((line) => line.level === LEVEL.warn && line.alert === name && line.system === system);

describe('alert raise-once logic (property)', () => {
  it('raises exactly once per contiguous breach run lasting at least the hold time, and never while clear', () => {
    const samples = fc.array(fc.record({ breached: fc.boolean(), gapMs: fc.integer({ min: 0, max: 3_000 }) }), { maxLength: 60 });
    fc.assert(
      fc.property(samples, fc.integer({ min: 0, max: 5_000 }), (sequence, holdMs) => {
        const watch = newWatch();
        let at = 0;
        const timed = sequence.map(({ breached, gapMs }) => ({ breached, at: (at += gapMs) }));
        const events = timed.map(({ breached, at: when }) => watchStep(watch, breached, when, holdMs));
        // The runs of consecutive breached samples, by index.
        const runs: { from: number; to: number }[] = [];
        timed.forEach((sample, i) => {
          if (!sample.breached) return;
          const last = runs.at(-1);
          if (last && last.to === i - 1) last.to = i;
          else runs.push({ from: i, to: i });
        });
        const raised = runs.filter((run) => timed[run.to].at - timed[run.from].at >= holdMs);
        expect(events.filter((event) => event === 'raise')).toHaveLength(raised.length);
        for (const run of runs) {
          const first = timed.findIndex((sample, i) => i >= run.from && sample.at - timed[run.from].at >= holdMs);
          const expected = raised.includes(run) ? first : -1;
          // Raised at the first sample of the run that has held long enough, and nowhere else in it.
          events.slice(run.from, run.to + 1).forEach((event, k) => expect(event === 'raise').toBe(run.from + k === expected));
          // Cleared at the first clear sample after a raised run, if there is one.
          if (run.to + 1 < timed.length) expect(events[run.to + 1]).toBe(raised.includes(run) ? 'clear' : undefined);
        }
        timed.forEach((sample, i) => {
          if (!sample.breached) expect(events[i]).not.toBe('raise');
          else expect(events[i]).not.toBe('clear');
        });
      }),
      { seed: Number(process.env.FC_SEED ?? 20261207), numRuns: 500 },
    );
  });
});

describe('alert settings', () => {
  it('default to 10 % for 60 s, 60 s, 300 s and on, and refuse a value out of range with a hint', () => {
    expect(loadConfig({}).alerts).toEqual({
      quotaLeftPercent: 10,
      quotaForSeconds: 60,
      breakerOpenSeconds: 60,
      webhookLagSeconds: 300,
      onOutcomeUnknown: true,
    });
    expect(loadConfig({ ALERT_ON_OUTCOME_UNKNOWN: '0', ALERT_QUOTA_LEFT_PERCENT: '0' }).alerts).toMatchObject({
      onOutcomeUnknown: false,
      quotaLeftPercent: 0,
    });
    expect(() => loadConfig({ ALERT_QUOTA_LEFT_PERCENT: '150', ALERT_WEBHOOK_LAG_SECONDS: 'soon' })).toThrow(
      /ALERT_QUOTA_LEFT_PERCENT[^\n]*at most 100[^\n]*percent[\s\S]*ALERT_WEBHOOK_LAG_SECONDS[^\n]*not a whole number/,
    );
  });
});

describe('outcome_unknown alert', () => {
  const settled = (outcome: WorkflowSettled['outcome']): WorkflowSettled => ({
    workflow: 'winDeal',
    outcome,
    system: 'billing',
    step: 'billing.createInvoice',
    errorCode: outcome === 'OUTCOME_UNKNOWN' ? 'WRITE_OUTCOME_UNKNOWN' : undefined,
  });

  it('is raised by the first OUTCOME_UNKNOWN, not again until a later run of the workflow settles, then again', () => {
    const raised: Alert[] = [];
    const board = createAlertBoard(DEFAULT_ALERT_SETTINGS, (alert) => raised.push(alert));
    board.observeWorkflow(settled('SUCCEEDED'), 1);
    expect(board.active()).toEqual([]);
    board.observeWorkflow(settled('OUTCOME_UNKNOWN'), 2);
    board.observeWorkflow(settled('OUTCOME_UNKNOWN'), 3);
    expect(raised.map((alert) => [alert.name, alert.system])).toEqual([['outcome_unknown', 'billing']]);
    expect(raised[0].message).toMatch(/winDeal ended OUTCOME_UNKNOWN at step billing.createInvoice \(WRITE_OUTCOME_UNKNOWN\)/);
    expect(board.active()).toHaveLength(1);
    board.observeWorkflow({ ...settled('SUCCEEDED'), system: undefined }, 4);
    expect(board.active()).toEqual([]);
    board.observeWorkflow(settled('OUTCOME_UNKNOWN'), 5);
    expect(raised).toHaveLength(2);
  });

  it('is never raised with ALERT_ON_OUTCOME_UNKNOWN off', () => {
    const raised: Alert[] = [];
    const board = createAlertBoard({ ...DEFAULT_ALERT_SETTINGS, onOutcomeUnknown: false }, (alert) => raised.push(alert));
    board.observeWorkflow(settled('OUTCOME_UNKNOWN'), 1);
    expect(raised).toEqual([]);
    expect(board.active()).toEqual([]);
  });
});

describe('alerts and health metrics over HTTP', () => {
  let stack: Stack;
  let served: Served;
  let failCloseDeal = false;
  const log = captureLog('info');

  beforeAll(async () => {
    stack = await startStack({
      world: { size: 50 },
      env: { ...NO_CACHE_ENV, ALERT_BREAKER_OPEN_SECONDS: '1', ALERT_WEBHOOK_LAG_SECONDS: '1' },
      logger: log.logger,
      // The CRM fails while (and only while) winDeal's first step runs, when a test asks for it.
      onWorkflowStep: async (event) => {
        if (!failCloseDeal || event.step !== 'crm.closeDeal') return;
        await stack.sandbox.server('crm').setKnobs({ errorRate: event.phase === 'start' ? 1 : 0 });
      },
    });
    served = await serve(stack.gateway);
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it('counts webhook deliveries by vendor and outcome, observes their lag, and alerts webhook_lag once', async () => {
    const created = Math.floor(Date.now() / 1000) - 3;
    const body = JSON.stringify({
      id: 'evt_alerts_1',
      object: 'event',
      type: 'customer.updated',
      created,
      data: { object: { id: 'cus_alerts', object: 'customer', email: 'alerts@example.com' } },
    });
    const post = (secret: string) =>
      fetch(`${served.url}/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': stripeSignatureHeader(secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
      });
    const count = (labels: string) => metric(stack, `switchboard_webhook_deliveries_total{${labels}}`);
    expect((await post(SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret)).status).toBe(200);
    expect((await post(SANDBOX_WEBHOOK_SECRETS.stripeWebhookSecret)).status).toBe(200);
    expect((await post('whsec_forged')).status).toBe(401);
    expect(await count('vendor="stripe",outcome="accepted"')).toBe(1);
    expect(await count('vendor="stripe",outcome="duplicate"')).toBe(1);
    expect(await count('vendor="stripe",outcome="rejected",reason="signature"')).toBe(1);
    // The accepted delivery was at least 3 s behind the event's time (its duplicate is not a second observation).
    expect(await metric(stack, 'switchboard_webhook_lag_seconds_count{vendor="stripe"}')).toBe(1);
    expect(await metric(stack, 'switchboard_webhook_lag_seconds_bucket{le="2",vendor="stripe"}')).toBe(0);

    // More than ALERT_WEBHOOK_LAG_SECONDS behind: raised at the next sample, once.
    await vi.waitFor(async () => expect((await alerts(stack)).map((a) => [a.name, a.system])).toContainEqual(['webhook_lag', 'billing']), {
      timeout: 15_000,
    });
    // Each read of the model samples it again: the condition still holds, and it is not raised again.
    for (let i = 0; i < 3; i++) expect((await alerts(stack)).filter((a) => a.name === 'webhook_lag')).toHaveLength(1);
    expect(warnLines(log, 'webhook_lag', 'billing')).toHaveLength(1);
    expect(await metric(stack, 'switchboard_alerts_total{alert="webhook_lag",system="billing"}')).toBe(1);
  });

  it('raises breaker_open for billing once while it refuses connections, in the query, the log and /metrics, and clears it on recovery', async () => {
    const state = (name: string) => metric(stack, `switchboard_integration_state{system="billing",state="${name}"}`);
    expect(await state('HEALTHY')).toBe(1);
    await sandboxAdmin(stack.sandbox, 'billing', 'knobs', { outage: 'refuse' });
    try {
      await vi.waitFor(
        async () => {
          await stack.query(BILLING_READ);
          expect((await alerts(stack)).map((a) => [a.name, a.system])).toContainEqual(['breaker_open', 'billing']);
        },
        { timeout: 30_000, interval: 200 },
      );
      const raised = (await alerts(stack)).find((a) => a.name === 'breaker_open')!;
      expect(raised.message).toMatch(/billing breaker not closed for 1 s/);
      expect(await state('DOWN')).toBe(1);
      expect(await state('HEALTHY')).toBe(0);
      // Still held through further samples (every second, and every read of the model): the raise is not repeated.
      await vi.waitFor(
        async () => {
          await stack.query(BILLING_READ);
          expect((await stack.gateway.health.systems()).find((s) => s.system === 'billing')!.breaker).not.toBe('closed');
          expect(Date.now() - new Date(raised.since).getTime()).toBeGreaterThan(4_000);
        },
        { timeout: 30_000, interval: 250 },
      );
      expect(warnLines(log, 'breaker_open', 'billing')).toHaveLength(1);
      expect(warnLines(log, 'breaker_open', 'billing')[0]).toMatchObject({ lastError: 'UPSTREAM_UNAVAILABLE', thresholdSeconds: 1 });
      expect((await alerts(stack)).filter((a) => a.name === 'breaker_open')).toHaveLength(1);
      expect(await metric(stack, 'switchboard_alerts_total{alert="breaker_open",system="billing"}')).toBe(1);
      // Nothing about the systems that kept working.
      expect((await alerts(stack)).filter((a) => a.name === 'breaker_open' && a.system !== 'billing')).toEqual([]);
    } finally {
      // Lifted through another server's admin API: billing's own port is closed.
      await sandboxAdmin(stack.sandbox, 'crm', 'systems/billing/knobs', { outage: 'none' });
    }
    await vi.waitFor(
      async () => {
        await stack.query(BILLING_READ);
        expect((await alerts(stack)).filter((a) => a.name === 'breaker_open')).toEqual([]);
      },
      { timeout: 60_000, interval: 250 },
    );
    expect(warnLines(log, 'breaker_open', 'billing')).toHaveLength(1);
    expect(log.lines.some((line) => line.alert === 'breaker_open' && line.cleared === true)).toBe(true);
    expect(await metric(stack, 'switchboard_alerts_total{alert="breaker_open",system="billing"}')).toBe(1);
  }, 120_000);

  // Last of this stack: the failing run leaves the CRM breaker open.
  it('counts cross-system writes by workflow and outcome', async () => {
    const runs = (outcome: string) => metric(stack, `switchboard_workflow_runs_total{workflow="winDeal",outcome="${outcome}"}`);
    // Billing (the invoice step) answers again, whatever the test before left behind.
    await vi.waitFor(
      async () => {
        await stack.query(BILLING_READ);
        expect((await stack.gateway.health.systems()).find((s) => s.system === 'billing')!.breaker).toBe('closed');
      },
      { timeout: 60_000, interval: 250 },
    );
    const [winning, failing] = await openDeals(stack, 2);
    const winDeal = (deal: { id: string }) =>
      stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key: `alerts-${deal.id}`, dealId: deal.id, channel: '#general' });
    const won = await winDeal(winning);
    expect(won.data?.winDeal.status, JSON.stringify(won.errors)).toBe('SUCCEEDED');
    expect(await runs('SUCCEEDED')).toBe(1);
    // A replay runs nothing: it is not counted again.
    expect((await winDeal(winning)).data?.winDeal.replayed).toBe(true);
    expect(await runs('SUCCEEDED')).toBe(1);
    expect(await runs('FAILED')).toBe(0);
    failCloseDeal = true;
    const failed = await winDeal(failing);
    failCloseDeal = false;
    expect(failed.data?.winDeal.status, JSON.stringify(failed.errors)).toBe('FAILED');
    expect(await runs('FAILED')).toBe(1);
    expect(await runs('SUCCEEDED')).toBe(1);
  });
});

describe('quota alert over HTTP', () => {
  let stack: Stack;
  const log = captureLog('info');

  beforeAll(async () => {
    stack = await startStack({
      world: { size: 30 },
      env: {
        ...NO_CACHE_ENV,
        UPSTREAM_BUDGET_CRM: '5/1m',
        UPSTREAM_BUDGET_MAX_WAIT_MS: '0',
        ALERT_QUOTA_LEFT_PERCENT: '50',
        ALERT_QUOTA_FOR_SECONDS: '0',
      },
      logger: log.logger,
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('raises quota_low for CRM once when its budget falls below half, however many calls follow', async () => {
    expect(await alerts(stack)).toEqual([]);
    await vi.waitFor(
      async () => {
        await stack.query(CRM_READ);
        expect((await alerts(stack)).map((a) => [a.name, a.system])).toContainEqual(['quota_low', 'crm']);
      },
      { timeout: 15_000, interval: 100 },
    );
    const raised = (await alerts(stack)).find((a) => a.name === 'quota_low')!;
    expect(raised.message).toMatch(/crm quota budget bucket .+ of 5 calls left, below 50 %/);
    // Spending the rest (then refused RATE_LIMITED) keeps it one alert while the budget stays low.
    await vi.waitFor(
      async () => {
        const spent = await stack.query(CRM_READ);
        expect(spent.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
        expect((await stack.gateway.health.systems()).find((s) => s.system === 'crm')!.state).toBe('THROTTLED');
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(warnLines(log, 'quota_low', 'crm')).toHaveLength(1);
    expect(warnLines(log, 'quota_low', 'crm')[0]).toMatchObject({ limit: 5, thresholdPercent: 50 });
    expect(await metric(stack, 'switchboard_alerts_total{alert="quota_low",system="crm"}')).toBe(1);
    // The others are unmetered here: nothing to alert on.
    expect((await alerts(stack)).map((a) => a.system)).toEqual(['crm']);
  });
});
