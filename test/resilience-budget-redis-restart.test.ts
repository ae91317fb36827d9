/**
 * Two replicas sharing a vendor budget through Redis, when that Redis restarts empty or is
 * away (found by the soak: across a restart the replicas together sent 72 Slack messages in a
 * minute against a budget of 60). The vendor still counts the calls of its last window, so:
 * - after a restart each replica puts its own calls of the window back, and the shared window
 *   refuses what the vendor would;
 * - while Redis is away each replica meters only its share (the budget over the replicas that
 *   drew from it), so together they still stay within it;
 * - a replica killed and started again finds its calls of the window in its journal, in case
 *   Redis lost them too (found by the soak: a kill, then a Redis restart, then 73 of 60), each
 *   counting down from its end, or, cut off by the kill, from the new start (found by the soak:
 *   51 of 50 in a window that began with a call of a killed process, after a Redis restart).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialScope } from '../src/cache/store.ts';
import { loadConfig } from '../src/config.ts';
import { budgetBuckets } from '../src/upstream/budget.ts';
import { createResilience, type Resilience } from '../src/upstream/resilience.ts';
import { freePort, SoakRedis } from '../soak/redis.ts';
import { hasService } from './support/services.ts';

const ROUTE = 'GET /crm/v3/objects/contacts/:id';
const LIMIT = 10;

describe.runIf(hasService('redis-server'))('a budget shared through a Redis that restarts', () => {
  let redis: SoakRedis;
  const replicas: Resilience[] = [];
  beforeAll(async () => {
    redis = new SoakRedis(await freePort());
    await redis.start();
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await redis?.stop();
  });

  /** A replica's budgets for HubSpot, in a window shared through Redis under `namespace`; its own calls journaled in `dataDir`. */
  function replica(namespace: string, dataDir = mkdtempSync(join(tmpdir(), 'budget-replica-'))): Resilience {
    const env = {
      REDIS_URL: redis.url,
      UPSTREAM_BUDGET_CRM: `${LIMIT}/60s`,
      UPSTREAM_BUDGET_MAX_WAIT_MS: '0',
      SWITCHBOARD_DATA_DIR: dataDir,
    };
    const upstreams = {
      crm: { credential: 'pat-na1-budget-test' },
      billing: { credential: 'sk_test_budget' },
      chat: { credential: 'xoxb-budget' },
    };
    const made = createResilience({ config: loadConfig(env), upstreams, namespace });
    replicas.push(made);
    return made;
  }
  const pair = (namespace: string): [Resilience, Resilience] => [replica(namespace), replica(namespace)];
  const budget = (replica: Resilience) => replica.clientOptions('crm').budget!;
  const calls = async (replica: Resilience, n: number) => {
    for (let i = 0; i < n; i++) (await budget(replica).acquire(ROUTE))();
  };
  const attempt = (replica: Resilience) =>
    budget(replica)
      .acquire(ROUTE)
      .then(
        (release) => (release(), 'granted'),
        (error: { code?: string }) => error.code,
      );
  const attempts = async (replica: Resilience, n: number) => {
    const answers: (string | undefined)[] = [];
    for (let i = 0; i < n; i++) answers.push(await attempt(replica));
    return answers;
  };

  it('refuses after a restart what the vendor would still count', async () => {
    const [a, b] = pair(`budget-restart-${Date.now()}`);
    await calls(a, 6);
    await calls(b, 4);
    expect(await attempt(a)).toBe('RATE_LIMITED');
    await redis.restart();
    // Each replica's connection is ready again and has put its calls back: the window is still full.
    await Promise.all([a.ready(), b.ready()]);
    expect(await attempt(a)).toBe('RATE_LIMITED');
    expect(await attempt(b)).toBe('RATE_LIMITED');
  });

  it('while Redis is away, gives each replica its share of what was free, so together they stay within the limit', async () => {
    const [c, d] = pair(`budget-away-${Date.now()}`);
    await calls(c, 1);
    await calls(d, 3);
    // The shared window holds 4 of 10; each replica has seen the other's calls.
    expect(await attempt(c)).toBe('granted');
    await redis.stop();
    try {
      // Each may hold at most its half of the limit, 5, and at most its calls at its last look plus half of what
      // was free then: C (2 own, 3 of D's) up to 4, so 2 more; D (3 own, 1 of C's) up to 5, so 2 more.
      expect(await attempts(c, 3)).toEqual(['granted', 'granted', 'RATE_LIMITED']);
      expect(await attempts(d, 3)).toEqual(['granted', 'granted', 'RATE_LIMITED']);
    } finally {
      await redis.start();
    }
  });

  it('after a replica was killed and Redis restarted too, the new process puts back what the old one sent', async () => {
    const namespace = `budget-killed-${Date.now()}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'budget-replica-'));
    const a = replica(namespace, dataDir);
    const b = replica(namespace);
    await calls(a, 6);
    await calls(b, 4);
    await a.close();
    const restarted = replica(namespace, dataDir);
    await redis.restart();
    await Promise.all([restarted.ready(), b.ready()]);
    // B put its 4 back, the new process A's 6 from its journal: the window the vendor counts is full.
    expect(await attempt(restarted)).toBe('RATE_LIMITED');
    expect(await attempt(b)).toBe('RATE_LIMITED');
  });

  it('counts a journaled call that never ended from the new start, not from its grant', async () => {
    const namespace = `budget-cut-${Date.now()}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'budget-replica-'));
    const key = `crm:${credentialScope('pat-na1-budget-test')}:${budgetBuckets('crm', ROUTE)[0]}`;
    const grantedAt = Date.now() - 59_950;
    // The old process was granted the whole window 59.95 s ago and was killed before any call ended.
    const lines = Array.from({ length: LIMIT }, (_, i) => `${key}\tcut-${i}\t${grantedAt}\t60000\n`);
    writeFileSync(join(dataDir, `${namespace.replace(/[^\w.-]/g, '_')}-budget-calls.log`), lines.join(''));
    const restarted = replica(namespace, dataDir);
    await restarted.ready();
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Counted from their grants they would have left the window 50 ms after the start; the vendor may still count them.
    expect(await attempt(restarted)).toBe('RATE_LIMITED');
  });
});
