/**
 * winDeal end to end against the three sandbox vendors: the happy path and its step
 * report, idempotent replay (also from another gateway sharing the database), concurrent
 * requests with one key, bad input, and a key reused with other inputs.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasService } from './support/services.ts';
import type { Stack } from './support/stack.ts';
import {
  dropSchema,
  openDeals,
  startWriteStack,
  vendorGet,
  WIN_DEAL,
  writeCount,
  type DealFixture,
  type WinDealResult,
} from './writes-support.ts';

describe.runIf(hasService('postgres'))('winDeal', () => {
  let stack: Stack & { schema: string };
  let deals: DealFixture[];
  beforeAll(async () => {
    stack = await startWriteStack();
    deals = await openDeals(stack, 5);
  });
  afterAll(async () => {
    await stack?.close();
    if (stack) await dropSchema(stack.schema);
  });

  const win = (key: string, dealId: string, channel = '#general') =>
    stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId, channel });

  it('closes the deal, bills its contact, finalizes the invoice and announces it, reporting every step', async () => {
    const deal = deals[0];
    const result = await win(`win-${randomUUID()}`, deal.id);
    expect(result.errors).toBeUndefined();
    const outcome = result.data!.winDeal;
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', replayed: false, error: null });
    expect(outcome.steps.map((s) => [s.name, s.status])).toEqual([
      ['crm.closeDeal', 'SUCCEEDED'],
      ['billing.ensureCustomer', 'SUCCEEDED'],
      ['billing.createInvoice', 'SUCCEEDED'],
      ['billing.finalizeInvoice', 'SUCCEEDED'],
      ['chat.announce', 'SUCCEEDED'],
    ]);
    const stored = await vendorGet<{ properties: { dealstage: string } }>(
      stack,
      'crm',
      `/crm/v3/objects/deals/${deal.id}?properties=dealstage`,
    );
    expect(stored.body.properties.dealstage).toBe('closedwon');
    const invoice = await vendorGet<{ status: string; customer: string }>(stack, 'billing', `/v1/invoices/${outcome.invoiceId}`);
    expect(invoice.body).toMatchObject({ status: 'open', customer: outcome.customerId });

    // Read-after-write through the gateway: the deal's stage, and the contact's billing
    // customer and invoice, although Stripe's search index lags 2 s behind.
    const read = await stack.query<{
      deal: {
        stage: string;
        contacts: { id: string; billingCustomer: { id: string; invoices: { id: string; status: string }[] } | null }[];
      };
    }>(`{ deal(id: "${deal.id}") { stage contacts { id billingCustomer { id invoices { id status } } } } }`);
    expect(read.data!.deal.stage).toBe('CLOSED_WON');
    const contact = read.data!.deal.contacts.find((c) => c.id === deal.contactId)!;
    expect(contact.billingCustomer?.id).toBe(outcome.customerId);
    expect(contact.billingCustomer?.invoices).toContainEqual({ id: outcome.invoiceId, status: 'OPEN' });
  });

  it('replays a key: the second call returns the first outcome and writes nothing upstream, also from another gateway', async () => {
    const deal = deals[1];
    const key = `win-${randomUUID()}`;
    const first = await win(key, deal.id);
    expect(first.data!.winDeal.status).toBe('SUCCEEDED');
    stack.resetCounts();
    const second = await win(key, deal.id);
    expect(second.data!.winDeal).toMatchObject({
      status: 'SUCCEEDED',
      replayed: true,
      invoiceId: first.data!.winDeal.invoiceId,
      ts: first.data!.winDeal.ts,
    });
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });

    // A restarted or second replica sharing the database replays it too.
    const replica = await startWriteStack({ schema: stack.schema });
    try {
      const third = await replica.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
      expect(third.data!.winDeal).toMatchObject({ status: 'SUCCEEDED', replayed: true, invoiceId: first.data!.winDeal.invoiceId });
      expect(replica.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
    } finally {
      await replica.close();
    }
  });

  it('runs two concurrent requests with one key once: one invoice, one message, the same answer', async () => {
    const deal = deals[2];
    const key = `win-${randomUUID()}`;
    stack.resetCounts();
    const [a, b] = await Promise.all([win(key, deal.id), win(key, deal.id)]);
    expect(a.data!.winDeal.status).toBe('SUCCEEDED');
    expect(b.data!.winDeal.status).toBe('SUCCEEDED');
    expect([a.data!.winDeal.replayed, b.data!.winDeal.replayed].sort()).toEqual([false, true]);
    expect(a.data!.winDeal.invoiceId).toBe(b.data!.winDeal.invoiceId);
    expect(writeCount(stack, 'billing', 'POST /v1/invoices')).toBe(1);
    expect(writeCount(stack, 'billing', 'POST /v1/invoices/:id/finalize')).toBe(1);
    expect(writeCount(stack, 'chat')).toBe(1);
  });

  it('refuses a key reused with other inputs, and bad input, before any upstream call', async () => {
    const key = `win-${randomUUID()}`;
    const first = await win(key, deals[3].id);
    expect(first.data!.winDeal.status).toBe('SUCCEEDED');
    stack.resetCounts();
    const reused = await win(key, deals[4].id);
    expect(reused.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { idempotencyKey: expect.any(String) } });
    const bad = await stack.query(
      'mutation { winDeal(idempotencyKey: "short", dealId: "abc", invoice: { currency: "USD!", lineItems: [{ description: "", unitAmount: -5 }] }, notify: { channel: "no such!" }) { status } }',
    );
    expect(bad.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: {
        idempotencyKey: expect.any(String),
        dealId: expect.any(String),
        'invoice.currency': expect.any(String),
        'invoice.lineItems.0.description': expect.any(String),
        'invoice.lineItems.0.unitAmount': expect.any(String),
        'notify.channel': expect.any(String),
      },
    });
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });

  it('records each run in the audit log, readable through GraphQL', async () => {
    const log = await stack.query<{
      auditLog: {
        nodes: { operation: string; outcome: string; principal: string; idempotencyKey: string; upstream: string }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    }>(
      `{ auditLog(first: 5, filter: { operation: "winDeal" }) {
        nodes { operation outcome principal idempotencyKey upstream } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(log.errors).toBeUndefined();
    const nodes = log.data!.auditLog.nodes;
    expect(nodes).toHaveLength(5);
    expect(nodes.every((n) => n.operation === 'winDeal')).toBe(true);
    expect(nodes.map((n) => n.outcome)).toContain('replayed');
    // The previous test's refusals (a reused key, bad input) are recorded too.
    expect(nodes.map((n) => n.outcome)).toContain('rejected');
    expect(nodes[0].principal).not.toBe('');
    expect(log.data!.auditLog.pageInfo.hasNextPage).toBe(true);
    const next = await stack.query<{ auditLog: { nodes: { operation: string }[] } }>(
      `{ auditLog(first: 100, after: "${log.data!.auditLog.pageInfo.endCursor}", filter: { operation: "winDeal" }) { nodes { operation } } }`,
    );
    expect(next.data!.auditLog.nodes.length).toBeGreaterThan(0);
  });

  it("bills one customer when deals of the same contact are won at once: the runs make the contact's customer one at a time", async () => {
    // Found by the 8-minute soak: three winDeal runs on three deals of one contact each looked
    // the contact's customer up (Stripe's search, seconds behind writes, had none) and made one.
    const deal = (await openDeals(stack, 6)).at(-1)!;
    const created = await Promise.all(
      [1, 2].map((n) =>
        stack.query<{ createDeal: { id: string } }>(
          `mutation { createDeal(input: { name: "Same contact ${n}", amount: ${n * 100}, stage: APPOINTMENT_SCHEDULED, contactIds: ["${deal.contactId}"] }) { id } }`,
        ),
      ),
    );
    const dealIds = [deal.id, ...created.map((c) => c.data!.createDeal.id)];
    const creates = () => writeCount(stack, 'billing', 'POST /v1/customers');
    const before = creates();
    const results = await Promise.all(dealIds.map((dealId) => win(`win-${randomUUID()}`, dealId)));
    for (const result of results) expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(results.map((r) => r.data!.winDeal.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const billed = new Set(
      results.map(
        (r) =>
          r.data!.winDeal.steps.find((s) => s.name === 'billing.ensureCustomer')?.upstreamIds.find((i) => i.name === 'customerId')?.value,
      ),
    );
    expect(creates() - before).toBe(1);
    expect(billed.size).toBe(1);
  });
});
