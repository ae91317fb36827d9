/**
 * Two replicas sharing a vendor budget through Redis, when that Redis restarts empty or is
 * away (found by the soak: across a restart the replicas together sent 72 Slack messages in a
 * minute against a budget of 60). The vendor still counts the calls of its last window, so:
 * - after a restart each replica puts its own calls of the window back, and the shared window
 *   refuses what the vendor would;
 * - while Redis is away each replica meters only its share (the budget over the replicas that
 *   drew from it), so together they still stay within it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createResilience, type Resilience } from '../src/upstream/resilience.ts';
import type { QuotaBudget } from '../src/upstream/budget.ts';
import { freePort, SoakRedis } from '../soak/redis.ts';
import { hasService } from './support/services.ts';

const ROUTE = 'GET /crm/v3/objects/contacts/:id';
const LIMIT = 10;

describe.runIf(hasService('redis-server'))('a budget shared through a Redis that restarts', () => {
  let redis: SoakRedis;
  const replicas: Resilience[] = [];
  let a: QuotaBudget;
  let b: QuotaBudget;
  beforeAll(async () => {
    redis = new SoakRedis(await freePort());
    await redis.start();
    const config = loadConfig({
      REDIS_URL: redis.url,
      UPSTREAM_BUDGET_CRM: `${LIMIT}/60s`,
      UPSTREAM_BUDGET_MAX_WAIT_MS: '0',
    });
    const namespace = `budget-restart-${Date.now()}`;
    const upstreams = {
      crm: { credential: 'pat-na1-budget-test' },
      billing: { credential: 'sk_test_budget' },
      chat: { credential: 'xoxb-budget' },
    };
    for (let i = 0; i < 2; i++) replicas.push(createResilience({ config, upstreams, namespace }));
    [a, b] = replicas.map((replica) => replica.clientOptions('crm').budget!);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await redis?.stop();
  });

  const calls = async (budget: QuotaBudget, n: number) => {
    for (let i = 0; i < n; i++) (await budget.acquire(ROUTE))();
  };
  const refused = (budget: QuotaBudget) =>
    budget.acquire(ROUTE).then(
      () => 'granted',
      (error: { code?: string }) => error.code,
    );
  /** Resolves once every replica's Redis connection is ready again and has put its calls back. */
  const reconnected = () => Promise.all(replicas.map((replica) => replica.ready()));

  it('refuses after a restart what the vendor would still count, and meters shares while Redis is away', async () => {
    await calls(a, 6);
    await calls(b, 4);
    expect(await refused(a)).toBe('RATE_LIMITED');

    await redis.restart();
    await reconnected();
    // The window came back from the replicas' own records: still full.
    expect(await refused(a)).toBe('RATE_LIMITED');
    expect(await refused(b)).toBe('RATE_LIMITED');

    await redis.stop();
    // Alone, each replica has half the budget: A has used 6 of its 5, B 4 of its 5.
    expect(await refused(a)).toBe('RATE_LIMITED');
    expect(await refused(b)).toBe('granted');
    expect(await refused(b)).toBe('RATE_LIMITED');
    await redis.start();
  });
});
