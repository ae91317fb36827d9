/**
 * Cross-system writes keep business invariants, not only idempotency keys: a replay is the
 * first answer byte for byte; a deal is billed once whatever the keys; every reference
 * that can be checked is checked before the first write; a notification that fails after
 * the business change is reported, not compensated.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasService } from './support/services.ts';
import type { Stack } from './support/stack.ts';
import { dropSchema, openDeals, startWriteStack, WIN_DEAL, type DealFixture, type WinDealResult } from './writes-support.ts';

describe.runIf(hasService('postgres'))('cross-system write invariants', () => {
  let stack: Stack & { schema: string };
  let deals: DealFixture[];
  beforeAll(async () => {
    stack = await startWriteStack({ world: { size: 300 } });
    deals = await openDeals(stack, 8);
  });
  afterAll(async () => {
    await stack?.close();
    if (stack) await dropSchema(stack.schema);
  });

  const win = (key: string, dealId: string, channel = '#general') => stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId, channel });

  it('replays the stored answer byte for byte: steps and their upstream ids in the first answer\'s order', async () => {
    const key = `win-${randomUUID()}`;
    const first = await win(key, deals[0].id);
    expect(first.data!.winDeal.status).toBe('SUCCEEDED');
    const replay = await win(key, deals[0].id);
    expect(replay.data!.winDeal.replayed).toBe(true);
    expect(JSON.stringify({ ...replay.data!.winDeal, replayed: false })).toBe(JSON.stringify(first.data!.winDeal));
  });
});
