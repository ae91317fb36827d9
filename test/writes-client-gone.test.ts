/**
 * A mutation whose client hangs up after it started runs to its end: the business action is
 * under way at the vendors, and a client that went away (a crashed service, a dropped
 * connection) may never come back to settle it. So a cross-system write finishes every step
 * and records its outcome, and a single-system write completes and is audited, exactly as if
 * the client had waited. (A mutation still queued for admission when its client leaves never
 * starts: that is resilience-admission's.)
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasService } from './support/services.ts';
import { queryAbortable, type Stack } from './support/stack.ts';
import { dropSchema, openDeals, startWriteStack, vendorGet, WIN_DEAL, type DealFixture, type WinDealResult } from './writes-support.ts';

const GATE_TIMEOUT_MS = 8_000;

describe.runIf(hasService('postgres'))('a client that hangs up while its mutation runs', () => {
  let stack: Stack & { schema: string };
  let deals: DealFixture[];
  beforeAll(async () => {
    stack = await startWriteStack();
    deals = await openDeals(stack, 2);
  });
  afterEach(() => stack.sandbox.server('billing').clearGates());
  afterAll(async () => {
    await stack?.close();
    if (stack) await dropSchema(stack.schema);
  });

  it('winDeal: every step still runs, the key ends SUCCEEDED, and a retry replays that outcome', async () => {
    const deal = deals[0];
    const key = `gone-${randomUUID()}`;
    const billing = stack.sandbox.server('billing');
    // Stripe holds the invoice creation until the test opens the gate: the client leaves
    // while the workflow is between its CRM step and its billing steps, for certain.
    const gate = billing.gate({ route: 'POST /v1/invoices', timeoutMs: GATE_TIMEOUT_MS }).id;
    stack.resetCounts();
    const gone = new AbortController();
    const mutation = WIN_DEAL.replace('$channel: String!', '$channel: String! = "#general"')
      .replace('$key: String!', `$key: String! = "${key}"`)
      .replace('$dealId: ID!', `$dealId: ID! = "${deal.id}"`);
    const answer = queryAbortable(stack, mutation, gone.signal);
    await vi.waitFor(() => expect(billing.requests.entries.some((e) => e.route === 'POST /v1/invoices')).toBe(true), { timeout: 10_000 });
    gone.abort();
    await answer;
    billing.openGate(gate);

    // The retry with the key waits for the run (or replays it) and reports all five steps done.
    const retry = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.winDeal).toMatchObject({ status: 'SUCCEEDED', replayed: true, error: null });
    expect(retry.data!.winDeal.steps.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const invoice = await vendorGet<{ status: string }>(stack, 'billing', `/v1/invoices/${retry.data!.winDeal.invoiceId}`);
    expect(invoice.body.status).toBe('open');
    const held = billing.requests.entries.find((e) => e.route === 'POST /v1/invoices')!;
    expect(held.heldUntil).toBe('opened');
  });

  it('createInvoice: the invoice is created once, its change published and its audit row says succeeded', async () => {
    const billing = stack.sandbox.server('billing');
    const customerId = stack.sandbox.world.customers[0].id;
    const description = `gone-${randomUUID()}`;
    // Held after the invoice was created: the client leaves before Stripe answers the line item.
    const gate = billing.gate({ route: 'POST /v1/invoiceitems', timeoutMs: GATE_TIMEOUT_MS }).id;
    stack.resetCounts();
    const gone = new AbortController();
    const mutation = `mutation Gone { createInvoice(input: { customerId: "${customerId}", currency: "usd", description: "${description}",
      lineItems: [{ description: "one", unitAmount: 1200 }] }) { id } }`;
    const answer = queryAbortable(stack, mutation, gone.signal);
    await vi.waitFor(() => expect(billing.requests.entries.some((e) => e.route === 'POST /v1/invoiceitems')).toBe(true), {
      timeout: 10_000,
    });
    gone.abort();
    await answer;
    billing.openGate(gate);

    const audit = await vi.waitFor(
      async () => {
        const rows = await stack.query<{ auditLog: { nodes: { outcome: string; inputs: string; upstream: string }[] } }>(
          '{ auditLog(first: 20, filter: { operation: "createInvoice" }) { nodes { outcome inputs upstream } } }',
        );
        const mine = rows.data!.auditLog.nodes.filter((row) => row.inputs.includes(description));
        expect(mine).toHaveLength(1);
        return mine[0];
      },
      { timeout: 10_000 },
    );
    expect(audit.outcome).toBe('succeeded');
    const invoices = [...stack.sandbox.server('billing').requests.entries].filter(
      (e) => e.route === 'POST /v1/invoices' && e.body?.includes(description),
    );
    expect(invoices).toHaveLength(1);
    const lines = billing.requests.entries.filter((e) => e.route === 'POST /v1/invoiceitems');
    expect(lines.at(-1)!.heldUntil).toBe('opened');
  });
});
