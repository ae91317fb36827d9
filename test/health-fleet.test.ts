/**
 * The fleet view with two replicas of one deployment sharing Redis: each reports its systems'
 * states, either one answers for both, and a replica that stops reporting is marked so. Waits
 * poll the query until what it reports changes, never a clock.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasService } from './support/services.ts';
import { startStack, type Stack } from './support/stack.ts';

const REPLICAS = '{ integrationHealth { replicas { replica self reportedAt stale systems { system state } } } }';

interface Replica {
  replica: string;
  self: boolean;
  reportedAt: string;
  stale: boolean;
  systems: { system: string; state: string }[];
}

describe.runIf(hasService('redis'))('integration health across replicas', () => {
  let a: Stack;
  let b: Stack | undefined;

  beforeAll(async () => {
    const shared = { cacheNamespace: `health-fleet-${randomUUID()}`, env: { REDIS_URL: 'redis://127.0.0.1:6379' } };
    a = await startStack(shared);
    b = await startStack({ ...shared, sandbox: a.sandbox });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const replicasSeenBy = async (stack: Stack) => {
    const result = await stack.query<{ integrationHealth: { replicas: Replica[] } }>(REPLICAS);
    expect(result.errors).toBeUndefined();
    return result.data!.integrationHealth.replicas;
  };

  it('lists both replicas from either one, each with its three systems, and marks one that stopped reporting', async () => {
    // Each replica reports on its own schedule: B's first report may not be in yet.
    await vi.waitFor(async () => expect(await replicasSeenBy(a)).toHaveLength(2), { timeout: 20_000, interval: 200 });
    const fromA = await replicasSeenBy(a);
    const fromB = await replicasSeenBy(b!);
    expect(fromA.map((r) => r.replica)).toEqual(fromB.map((r) => r.replica));
    expect(fromA.filter((r) => r.self)).toHaveLength(1);
    expect(fromA.find((r) => r.self)!.replica).not.toBe(fromB.find((r) => r.self)!.replica);
    for (const replica of fromA) {
      expect(replica.stale).toBe(false);
      expect(replica.systems.map((s) => [s.system, s.state])).toEqual([
        ['crm', 'HEALTHY'],
        ['billing', 'HEALTHY'],
        ['chat', 'HEALTHY'],
      ]);
    }

    // B goes away: A keeps listing it, as a replica that stopped reporting.
    const gone = fromB.find((r) => r.self)!.replica;
    await b!.close();
    b = undefined;
    await vi.waitFor(
      async () => {
        const seen = await replicasSeenBy(a);
        expect(seen.find((r) => r.replica === gone)?.stale).toBe(true);
        expect(seen.find((r) => r.self)?.stale).toBe(false);
      },
      { timeout: 40_000, interval: 500 },
    );
  }, 60_000);
});
