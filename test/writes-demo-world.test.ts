/**
 * Demo mode keeps the embedded write store and the embedded sandbox consistent across a
 * restart. The sandbox is seeded afresh at every start and forgets what was written to it;
 * a store that kept its idempotency records would replay a `winDeal` key as SUCCEEDED with
 * an invoice the new sandbox has never heard of. Each run here is a new sandbox and a new
 * gateway with the store made as `serve` makes it, on one data directory.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/observability/logger.ts';
import { createServeWriteStore } from '../src/serve-write-store.ts';
import { createWriteStore } from '../src/store/index.ts';
import { startStack } from './support/stack.ts';
import { hasService } from './support/services.ts';
import { dropSchema, freshSchema, openDeals, TEST_DATABASE_URL, vendorGet, WIN_DEAL, type WinDealResult } from './writes-support.ts';

describe('demo mode: the embedded write store follows the sandbox world', () => {
  it('after a restart, a winDeal key from the previous world runs afresh and its invoice exists; the old audit rows are gone with the old world', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'demo-world-'));
    const env = { SWITCHBOARD_MODE: 'demo', SWITCHBOARD_DATA_DIR: dataDir };
    const key = `win-${randomUUID()}`;
    const outcomes: WinDealResult[] = [];
    let dealId: string | undefined;
    for (let run = 0; run < 2; run++) {
      const stack = await startStack({
        world: { size: 200 },
        env,
        writeStore: (sandbox, config) => createServeWriteStore(config, sandbox, createLogger('silent')),
      });
      try {
        expect(stack.gateway.writes.backend).toBe('sqlite');
        // The same seed gives the same deals in both runs.
        dealId ??= (await openDeals(stack, 1))[0].id;
        const result = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId, channel: '#general' });
        expect(result.errors).toBeUndefined();
        const outcome = result.data!.winDeal;
        outcomes.push(outcome);
        expect(outcome.status).toBe('SUCCEEDED');
        // Whatever the store answers must exist in the world the client now sees.
        expect((await vendorGet(stack, 'billing', `/v1/invoices/${outcome.invoiceId}`)).status).toBe(200);
        const audit = await stack.gateway.writes.audit.list({ first: 10 });
        expect(audit.records.map((r) => [r.operation, r.idempotencyKey])).toEqual([['winDeal', key]]);
      } finally {
        await stack.close();
      }
    }
    expect(outcomes.map((o) => o.replayed)).toEqual([false, false]);
  }, 120_000);

  it.each([
    ['the embedded store', undefined],
    ['PostgreSQL', TEST_DATABASE_URL],
  ])(
    '%s: keeps the store when it reopens against the same world, and only a store keyed to a world is ever emptied',
    async (_name, databaseUrl) => {
      if (databaseUrl && !hasService('postgres')) return;
      const dataDir = mkdtempSync(join(tmpdir(), 'demo-world-'));
      const schema = freshSchema();
      const open = (world?: string) => createWriteStore({ databaseUrl, dataDir, schema, leaseMs: 60_000, world });
      const write = async (world?: string) => {
        const store = open(world);
        try {
          await store.audit.append({
            startedAt: new Date(),
            finishedAt: new Date(),
            principal: 'p',
            operation: `op-${world ?? 'none'}`,
            inputs: {},
            upstream: [],
            outcome: 'succeeded',
          });
          return (await store.audit.list({ first: 10 })).records.map((r) => r.operation);
        } finally {
          await store.close();
        }
      };
      expect(await write('world-a')).toEqual(['op-world-a']);
      expect(await write('world-a')).toEqual(['op-world-a', 'op-world-a']);
      expect(await write(undefined)).toEqual(['op-none', 'op-world-a', 'op-world-a']);
      expect(await write('world-b')).toEqual(['op-world-b']);
      if (databaseUrl) await dropSchema(schema);
    },
  );
});
