/**
 * A replica that dies right after claiming a cross-system write's key, before saving any
 * progress, leaves the key `running` with its initial (empty) state. The next request with
 * that key, on another replica, takes it over once the lease runs out and runs the write
 * from its first step — found by the soak, where a SIGKILL in that window made every later
 * retry of the key fail with INTERNAL_SERVER_ERROR.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { hasService } from './support/services.ts';
import type { Stack } from './support/stack.ts';
import { dropSchema, freshSchema, openDeals, startWriteStack, vendorGet, WIN_DEAL, type WinDealResult } from './writes-support.ts';

describe.runIf(hasService('postgres'))('taking over a write whose replica died before its first step', () => {
  const schema = freshSchema();
  const stacks: Stack[] = [];
  let release: () => void = () => undefined;
  afterAll(async () => {
    release();
    await Promise.all(stacks.map((stack) => stack.close()));
    await dropSchema(schema);
  });

  it('runs it whole on the next request with the key, after the lease', async () => {
    const stalled = new Promise<void>((resolve) => (release = resolve));
    let claimed = false;
    // Replica A claims the key, then stops before its first step forever, as if killed.
    const dead = await startWriteStack({
      schema,
      env: { WRITE_LEASE_MS: '6000', REQUEST_DEADLINE_MS: '5000' },
      onWorkflowStep: async ({ step, phase }) => {
        if (step === 'crm.closeDeal' && phase === 'start') {
          claimed = true;
          await stalled;
        }
      },
    });
    const live = await startWriteStack({ schema, env: { WRITE_LEASE_MS: '6000', REQUEST_DEADLINE_MS: '5000' } });
    stacks.push(dead, live);
    const [deal] = await openDeals(live, 1);
    const key = `takeover-${randomUUID()}`;
    void dead.query(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    await vi.waitFor(() => expect(claimed).toBe(true), { timeout: 10_000 });

    // Until the dead run's lease ends, a request with the key is told the write is still running.
    let taken = await live.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    for (let attempt = 1; attempt < 5 && taken.errors?.[0]?.extensions?.code === 'WRITE_OUTCOME_UNKNOWN'; attempt++)
      taken = await live.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(taken.errors).toBeUndefined();
    expect(taken.data!.winDeal).toMatchObject({ status: 'SUCCEEDED', replayed: false, error: null });
    expect(taken.data!.winDeal.steps.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const stored = await vendorGet<{ properties: { dealstage: string } }>(
      live,
      'crm',
      `/crm/v3/objects/deals/${deal.id}?properties=dealstage`,
    );
    expect(stored.body.properties.dealstage).toBe('closedwon');
    // And the key now replays that outcome.
    const again = await live.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(again.data!.winDeal).toMatchObject({ status: 'SUCCEEDED', replayed: true, invoiceId: taken.data!.winDeal.invoiceId });
  });
});
