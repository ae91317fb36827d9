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
import { dropSchema, openDeals, startWriteStack, WIN_DEAL, writeCount, type DealFixture, type WinDealResult } from './writes-support.ts';

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

  const win = (key: string, dealId: string, channel = '#general') =>
    stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId, channel });

  it("replays the stored answer byte for byte: steps and their upstream ids in the first answer's order", async () => {
    const key = `win-${randomUUID()}`;
    const first = await win(key, deals[0].id);
    expect(first.data!.winDeal.status).toBe('SUCCEEDED');
    const replay = await win(key, deals[0].id);
    expect(replay.data!.winDeal.replayed).toBe(true);
    expect(JSON.stringify({ ...replay.data!.winDeal, replayed: false })).toBe(JSON.stringify(first.data!.winDeal));
  });

  interface AuditRow {
    operation: string;
    outcome: string;
    errorCode: string | null;
    idempotencyKey: string | null;
    inputs: string;
  }
  const auditOf = async (filter: string) => {
    const log = await stack.query<{ auditLog: { nodes: AuditRow[] } }>(
      `{ auditLog(first: 100, filter: { ${filter} }) { nodes { operation outcome errorCode idempotencyKey inputs } } }`,
    );
    expect(log.errors).toBeUndefined();
    return log.data!.auditLog.nodes;
  };

  it('records rejected cross-system writes in the audit log: invalid input, and a key reused with other inputs', async () => {
    const badKey = `rejected-${randomUUID()}`;
    const bad = await stack.query(
      `mutation { winDeal(idempotencyKey: "${badKey}", dealId: "not-a-deal", invoice: { currency: "usd" },
        notify: { channel: "#general" }) { status } }`,
    );
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await auditOf(`idempotencyKey: "${badKey}"`)).toEqual([
      expect.objectContaining({
        operation: 'winDeal',
        outcome: 'rejected',
        errorCode: 'BAD_USER_INPUT',
        inputs: expect.stringContaining('not-a-deal'),
      }),
    ]);

    const key = `win-${randomUUID()}`;
    expect((await win(key, deals[1].id)).data!.winDeal.status).toBe('SUCCEEDED');
    const reused = await win(key, deals[2].id);
    expect(reused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { idempotencyKey: expect.any(String) } });
    const rows = await auditOf(`idempotencyKey: "${key}"`);
    expect(rows.map((row) => row.outcome).sort()).toEqual(['rejected', 'succeeded']);
    expect(rows.find((row) => row.outcome === 'rejected')).toMatchObject({
      operation: 'winDeal',
      errorCode: 'BAD_USER_INPUT',
      inputs: expect.stringContaining(deals[2].id),
    });
  });

  it('records a rejected single-system write too', async () => {
    const email = `not-an-email-${randomUUID().slice(0, 8)}`;
    const bad = await stack.query(`mutation { createContact(input: { email: "${email}" }) { id } }`);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const rows = await auditOf('operation: "createContact", outcome: "rejected"');
    expect(rows.some((row) => row.errorCode === 'BAD_USER_INPUT' && row.inputs.includes(email))).toBe(true);
  });

  it('refuses winDeal with a new key on a deal already won: DEAL_ALREADY_WON, nothing written, the customer billed once', async () => {
    const deal = deals[3];
    const first = await win(`win-${randomUUID()}`, deal.id);
    expect(first.data!.winDeal.status).toBe('SUCCEEDED');
    stack.resetCounts();
    const again = await win(`win-${randomUUID()}`, deal.id);
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'DEAL_ALREADY_WON', fields: { dealId: expect.any(String) } });
    expect(writeCount(stack, 'crm')).toBe(0);
    expect(writeCount(stack, 'billing')).toBe(0);
    expect(writeCount(stack, 'chat')).toBe(0);
    const rows = await auditOf(`operation: "winDeal", outcome: "rejected"`);
    expect(rows.some((row) => row.errorCode === 'DEAL_ALREADY_WON')).toBe(true);
  });

  it('runs one of two concurrent winDeal calls on one deal with different keys; the other is refused as already won', async () => {
    const deal = deals[4];
    stack.resetCounts();
    const [a, b] = await Promise.all([win(`win-${randomUUID()}`, deal.id), win(`win-${randomUUID()}`, deal.id)]);
    const outcomes = [a, b].map((r) => r.data?.winDeal?.status ?? r.errors?.[0].extensions?.code).sort();
    expect(outcomes).toEqual(['DEAL_ALREADY_WON', 'SUCCEEDED']);
    expect(writeCount(stack, 'billing', 'POST /v1/invoices')).toBe(1);
    expect(writeCount(stack, 'billing', 'POST /v1/invoices/:id/finalize')).toBe(1);
    expect(writeCount(stack, 'chat')).toBe(1);
  });

  it.each([
    ['a channel that does not exist', '#no-such-channel', 'NOT_FOUND'],
    ['a channel the bot is not a member of', '#random', 'UPSTREAM_FORBIDDEN'],
    ['an archived channel', '#support', 'UPSTREAM_FORBIDDEN'],
  ])('refuses winDeal to %s before anything is written, with its own code', async (_label, channel, code) => {
    const deal = deals[5];
    stack.resetCounts();
    const result = await win(`win-${randomUUID()}`, deal.id, channel);
    expect(result.errors?.[0].extensions).toMatchObject({ code, service: 'chat', fields: { 'notify.channel': expect.any(String) } });
    expect(writeCount(stack, 'crm')).toBe(0);
    expect(writeCount(stack, 'billing')).toBe(0);
    expect(writeCount(stack, 'chat')).toBe(0);
  });

  it('refuses onboardCustomer to a channel the bot cannot post to before any contact or customer exists', async () => {
    stack.resetCounts();
    const result = await stack.query(
      `mutation { onboardCustomer(idempotencyKey: "onboard-${randomUUID()}",
        contact: { email: "chan-${randomUUID().slice(0, 8)}@example.com" },
        plan: { priceId: "price_growth_monthly" }, notify: { channel: "#random" }) { status } }`,
    );
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_FORBIDDEN', fields: { 'notify.channel': expect.any(String) } });
    expect(writeCount(stack, 'crm')).toBe(0);
    expect(writeCount(stack, 'billing')).toBe(0);
  });

  it("refuses onboardCustomer with an unknown priceId before any contact or customer is created, with Stripe's reason", async () => {
    const email = `price-${randomUUID().slice(0, 8)}@example.com`;
    stack.resetCounts();
    const result = await stack.query(
      `mutation { onboardCustomer(idempotencyKey: "onboard-${randomUUID()}", contact: { email: "${email}" },
        plan: { priceId: "price_doesnotexist" }, notify: { channel: "#general" }) { status } }`,
    );
    expect(result.errors?.[0].extensions).toMatchObject({
      code: 'NOT_FOUND',
      service: 'billing',
      fields: { 'plan.priceId': expect.any(String) },
    });
    expect(result.errors?.[0].message).toContain("No such price: 'price_doesnotexist'");
    expect(writeCount(stack, 'crm')).toBe(0);
    expect(writeCount(stack, 'billing')).toBe(0);
    expect(writeCount(stack, 'chat')).toBe(0);
  });
});
