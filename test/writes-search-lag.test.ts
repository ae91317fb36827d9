/**
 * Stripe's search index trails writes and deletions: a draft invoice that an undo deleted
 * is still found by `customer:"cus_…"` for a while. Reads through the graph must not show
 * it again. The emulator's index is pinned (`searchFrozenAt`) to the moment the draft
 * existed, so the lag does not depend on timing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepEvent } from '../src/workflows/runtime.ts';
import { hasService } from './support/services.ts';
import type { Stack } from './support/stack.ts';
import { dropSchema, startWriteStack, vendorGet, WIN_DEAL, type WinDealResult } from './writes-support.ts';

describe.runIf(hasService('postgres'))('a draft invoice deleted by an undo, while Stripe search still shows it', () => {
  let stack: Stack & { schema: string };
  let failing = false;

  async function onStep(event: StepEvent): Promise<void> {
    if (!failing || event.step !== 'billing.finalizeInvoice') return;
    const billing = stack.sandbox.server('billing');
    // The draft exists now: the index stops here, and finalization fails, so the undo deletes the draft.
    if (event.phase === 'start') await billing.setKnobs({ errorRate: 1, searchFrozenAt: Date.now() });
    else await billing.setKnobs({ errorRate: 0 });
  }

  beforeAll(async () => {
    stack = await startWriteStack({
      onWorkflowStep: (event) => onStep(event),
      // Every read of a customer's invoices asks the search again, as after its cache entry expired.
      env: { CACHE_TTL_CUSTOMER_INVOICE_IDS: '0', RESPONSE_CACHE: '0', UPSTREAM_RETRIES: '0', UPSTREAM_BREAKER_THRESHOLD: '1000' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    if (stack) await dropSchema(stack.schema);
  });

  it('is left out of the customer’s invoices, as a page and as the array', async () => {
    const deals = await stack.query<{
      deals: {
        nodes: { id: string; stageRaw: string | null; amount: number | null; contacts: { billingCustomer: { id: string } | null }[] }[];
      };
    }>('{ deals(first: 100) { nodes { id stageRaw amount contacts { billingCustomer { id } } } } }');
    // An open deal whose one contact already has a customer: the undo deletes the draft and keeps the customer.
    const deal = deals.data!.deals.nodes.find(
      (node) =>
        node.contacts.length === 1 && node.contacts[0].billingCustomer && !node.stageRaw?.startsWith('closed') && (node.amount ?? 0) > 0,
    )!;
    const customerId = deal.contacts[0].billingCustomer!.id;
    failing = true;
    let result: WinDealResult;
    try {
      const answer = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, {
        key: `lag-${randomUUID()}`,
        dealId: deal.id,
        channel: '#general',
      });
      expect(answer.errors).toBeUndefined();
      result = answer.data!.winDeal;
    } finally {
      failing = false;
    }
    try {
      expect(result.status).toBe('FAILED');
      const steps = Object.fromEntries(result.steps.map((step) => [step.name, step.status]));
      expect(steps).toMatchObject({ 'billing.createInvoice': 'COMPENSATED', 'billing.finalizeInvoice': 'FAILED' });
      expect(result.customerId).toBe(customerId);
      const draft = result.invoiceId!;
      expect((await vendorGet(stack, 'billing', `/v1/invoices/${draft}`)).status).toBe(404);
      // Stripe's search still has it.
      const searched = await vendorGet<{ data: { id: string }[] }>(
        stack,
        'billing',
        `/v1/invoices/search?query=${encodeURIComponent(`customer:"${customerId}"`)}&limit=100`,
      );
      expect(searched.body.data.map((invoice) => invoice.id)).toContain(draft);

      const searches = () => stack.sandbox.server('billing').requests.count('GET /v1/invoices/search');
      const before = searches();
      const read = await stack.query<{
        customer: { invoicesConnection: { nodes: { id: string }[]; totalCount: number }; invoices: { id: string }[] };
      }>('query ($id: ID!) { customer(id: $id) { invoicesConnection(first: 100) { nodes { id } totalCount } invoices { id } } }', {
        id: customerId,
      });
      expect(read.errors).toBeUndefined();
      expect(searches()).toBeGreaterThan(before);
      const paged = read.data!.customer.invoicesConnection;
      expect(paged.nodes.map((invoice) => invoice.id)).not.toContain(draft);
      expect(paged.totalCount).toBe(paged.nodes.length);
      expect(read.data!.customer.invoices.map((invoice) => invoice.id)).not.toContain(draft);
    } finally {
      await stack.sandbox.server('billing').setKnobs({ searchFrozenAt: 0 });
    }
  });
});
