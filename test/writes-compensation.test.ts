/**
 * Failures injected at each step of winDeal with the sandbox's fault knobs (switched on as
 * the step starts and off as it ends): the vendors' own state shows the compensation, and
 * the step report says exactly what happened. A timeout after a write was sent ends as
 * WRITE_OUTCOME_UNKNOWN, and a retry with the same key settles it without a second write.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemName } from '@switchboard/sandbox';
import { type ChaosKnobs } from '@switchboard/sandbox';
import type { StepEvent } from '../src/workflows/runtime.ts';
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

interface Fault {
  step: string;
  system: SystemName;
  /** Set as the step starts (a function reads the moment it does). */
  knobs: Partial<ChaosKnobs> | (() => Partial<ChaosKnobs>);
  /** Literal answers for another system's next requests, from the step's start. */
  then?: { system: SystemName; responses: { status: number }[] };
}

describe.runIf(hasService('postgres'))('winDeal compensation and unknown outcomes', () => {
  let stack: Stack & { schema: string };
  let deals: DealFixture[];
  let fault: Fault | undefined;

  async function onStep(event: StepEvent): Promise<void> {
    if (!fault || event.step !== fault.step) return;
    const server = stack.sandbox.server(fault.system);
    if (event.phase === 'start') {
      await server.setKnobs(typeof fault.knobs === 'function' ? fault.knobs() : fault.knobs);
      if (fault.then) stack.sandbox.server(fault.then.system).script(fault.then.responses);
    } else await server.setKnobs({ errorRate: 0, latencyMs: 0 });
  }

  beforeAll(async () => {
    stack = await startWriteStack({
      world: { size: 300 },
      onWorkflowStep: (event) => onStep(event),
      // One try per call and a breaker that stays closed, so each injected fault fails exactly its step.
      env: { UPSTREAM_RETRIES: '0', UPSTREAM_BREAKER_THRESHOLD: '1000', UPSTREAM_TIMEOUT_MS: '1500' },
    });
    deals = await openDeals(stack, 10);
  });
  afterAll(async () => {
    await stack?.close();
    if (stack) await dropSchema(stack.schema);
  });

  async function winWithFault(deal: DealFixture, injected: Fault): Promise<WinDealResult> {
    fault = injected;
    try {
      const result = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, {
        key: `win-${randomUUID()}`,
        dealId: deal.id,
        channel: '#general',
      });
      expect(result.errors).toBeUndefined();
      return result.data!.winDeal;
    } finally {
      fault = undefined;
    }
  }

  const statuses = (result: WinDealResult) => Object.fromEntries(result.steps.map((step) => [step.name, step.status]));
  const dealStage = async (id: string) =>
    (await vendorGet<{ properties: { dealstage: string } }>(stack, 'crm', `/crm/v3/objects/deals/${id}?properties=dealstage`)).body
      .properties.dealstage;
  const customersOf = async (contactId: string) =>
    (
      await vendorGet<{ data: { id: string }[] }>(
        stack,
        'billing',
        `/v1/customers/search?query=${encodeURIComponent(`metadata["hubspot_contact_id"]:"${contactId}"`)}`,
      )
    ).body.data;

  it('fails at the CRM step: nothing was written, nothing to undo', async () => {
    const deal = deals[0];
    const result = await winWithFault(deal, { step: 'crm.closeDeal', system: 'crm', knobs: { errorRate: 1 } });
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', step: 'crm.closeDeal' });
    expect(statuses(result)).toEqual({
      'crm.closeDeal': 'FAILED',
      'billing.ensureCustomer': 'PENDING',
      'billing.createInvoice': 'PENDING',
      'billing.finalizeInvoice': 'PENDING',
      'chat.announce': 'PENDING',
    });
    expect(await dealStage(deal.id)).toBe(deal.stageRaw);
  });

  it('fails at the customer step: the deal is moved back to its stage', async () => {
    const deal = deals[1];
    const result = await winWithFault(deal, { step: 'billing.ensureCustomer', system: 'billing', knobs: { errorRate: 1 } });
    expect(result.status).toBe('FAILED');
    expect(statuses(result)).toMatchObject({
      'crm.closeDeal': 'COMPENSATED',
      'billing.ensureCustomer': 'FAILED',
      'billing.createInvoice': 'PENDING',
    });
    expect(result.steps[0].compensation).toContain(deal.stageRaw);
    expect(await dealStage(deal.id)).toBe(deal.stageRaw);
  });

  it('fails at the invoice step: the new customer is deleted and the deal moved back', async () => {
    const deal = deals[2];
    const result = await winWithFault(deal, { step: 'billing.createInvoice', system: 'billing', knobs: { errorRate: 1 } });
    expect(result.status).toBe('FAILED');
    expect(statuses(result)).toMatchObject({
      'crm.closeDeal': 'COMPENSATED',
      'billing.ensureCustomer': 'COMPENSATED',
      'billing.createInvoice': 'FAILED',
    });
    const customerId = result.customerId!;
    const customer = await vendorGet<{ deleted?: boolean }>(stack, 'billing', `/v1/customers/${customerId}`);
    expect(customer.body.deleted).toBe(true);
    expect(await dealStage(deal.id)).toBe(deal.stageRaw);
  });

  it('wins the deal on the next try after an undo deleted its new customer, although the lagging search still shows that customer', async () => {
    // Stripe's search shows a deleted customer for a while; reusing it failed the invoice with "No such customer".
    const deal = deals[9];
    const billing = stack.sandbox.server('billing');
    try {
      // The index stops catching up once the customer exists, so it still shows it after the undo deleted it.
      const failed = await winWithFault(deal, {
        step: 'billing.createInvoice',
        system: 'billing',
        knobs: () => ({ errorRate: 1, searchFrozenAt: Date.now() }),
      });
      expect(statuses(failed)).toMatchObject({ 'billing.ensureCustomer': 'COMPENSATED', 'billing.createInvoice': 'FAILED' });
      const deleted = failed.customerId!;
      expect((await vendorGet<{ deleted?: boolean }>(stack, 'billing', `/v1/customers/${deleted}`)).body.deleted).toBe(true);
      expect((await customersOf(deal.contactId)).map((customer) => customer.id)).toContain(deleted);
      const searches = () => billing.requests.count('GET /v1/customers/search');
      const before = searches();
      // A read through the graph does not show the deleted customer as the contact's either.
      const read = await stack.query<{ contact: { billingCustomer: { id: string } | null } }>(
        'query ($id: ID!) { contact(id: $id) { billingCustomer { id } } }',
        { id: deal.contactId },
      );
      expect(read.errors).toBeUndefined();
      expect(read.data!.contact.billingCustomer).toBeNull();

      const won = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, {
        key: `win-${randomUUID()}`,
        dealId: deal.id,
        channel: '#general',
      });
      expect(won.errors).toBeUndefined();
      expect(won.data!.winDeal).toMatchObject({ status: 'SUCCEEDED', error: null });
      // The gateway did ask the lagging search, and took the deleted customer from it neither to read nor to bill.
      expect(searches()).toBeGreaterThan(before);
      const customerId = won.data!.winDeal.customerId!;
      expect(customerId).not.toBe(deleted);
      const customer = await vendorGet<{ deleted?: boolean; metadata: Record<string, string> }>(
        stack,
        'billing',
        `/v1/customers/${customerId}`,
      );
      expect(customer.body.deleted).toBeUndefined();
      expect(customer.body.metadata.hubspot_contact_id).toBe(deal.contactId);
      expect(await dealStage(deal.id)).toBe('closedwon');
    } finally {
      await billing.setKnobs({ searchFrozenAt: 0 });
    }
  });

  it('fails at finalization: the draft invoice is deleted, the customer deleted, the deal moved back', async () => {
    const deal = deals[3];
    const result = await winWithFault(deal, { step: 'billing.finalizeInvoice', system: 'billing', knobs: { errorRate: 1 } });
    expect(result.status).toBe('FAILED');
    expect(statuses(result)).toMatchObject({
      'crm.closeDeal': 'COMPENSATED',
      'billing.ensureCustomer': 'COMPENSATED',
      'billing.createInvoice': 'COMPENSATED',
      'billing.finalizeInvoice': 'FAILED',
      'chat.announce': 'PENDING',
    });
    const invoiceId = result.invoiceId!;
    const invoice = await vendorGet(stack, 'billing', `/v1/invoices/${invoiceId}`);
    expect(invoice.status).toBe(404);
    expect(result.steps[2].compensation).toContain('Deleted draft invoice');
    expect(await dealStage(deal.id)).toBe(deal.stageRaw);
  });

  it('undoes a step again when the undo fails for a moment: the deal is moved back although HubSpot refused once', async () => {
    const deal = deals[7];
    // The next CRM request after the invoice step starts is the undo of the deal's stage: HubSpot answers it 503 once.
    const result = await winWithFault(deal, {
      step: 'billing.createInvoice',
      system: 'billing',
      knobs: { errorRate: 1 },
      then: { system: 'crm', responses: [{ status: 503 }] },
    });
    expect(result.status).toBe('FAILED');
    expect(statuses(result)).toMatchObject({ 'crm.closeDeal': 'COMPENSATED', 'billing.ensureCustomer': 'COMPENSATED' });
    const reverts = stack.sandbox.server('crm').requests.entries.filter((e) => e.method === 'PATCH' && e.path.endsWith(`/${deal.id}`));
    expect(reverts.map((e) => e.status).slice(-2)).toEqual([503, 200]);
    expect(await dealStage(deal.id)).toBe(deal.stageRaw);
  });

  it('reports a customer created but answered with a broken body as OUTCOME_UNKNOWN, and the retry settles it with that one customer', async () => {
    const deal = deals[8];
    const key = `win-${randomUUID()}`;
    // Stripe creates the customer and its answer arrives broken: the step cannot know whether it happened.
    fault = { step: 'billing.ensureCustomer', system: 'billing', knobs: { corrupt: 'html' } };
    let first: WinDealResult;
    try {
      first = (await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' })).data!.winDeal;
    } finally {
      fault = undefined;
      await stack.sandbox.server('billing').setKnobs({ corrupt: 'none' });
    }
    expect(first.status).toBe('OUTCOME_UNKNOWN');
    expect(first.error).toMatchObject({ code: 'WRITE_OUTCOME_UNKNOWN', step: 'billing.ensureCustomer' });
    expect(statuses(first)).toMatchObject({ 'crm.closeDeal': 'SUCCEEDED', 'billing.ensureCustomer': 'OUTCOME_UNKNOWN' });

    const retry = (await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' })).data!.winDeal;
    expect(retry.status).toBe('SUCCEEDED');
    // One customer for the contact: the retry's creation was Stripe's replay of the first (same Idempotency-Key).
    const listed = await vendorGet<{ data: { id: string; metadata: Record<string, string> }[] }>(
      stack,
      'billing',
      '/v1/customers?limit=100',
    );
    expect(listed.body.data.filter((c) => c.metadata.hubspot_contact_id === deal.contactId).map((c) => c.id)).toEqual([retry.customerId]);
  });

  it('fails at the chat step: the announcement is reported failed; the deal stays won and invoiced (not compensated)', async () => {
    const deal = deals[4];
    const result = await winWithFault(deal, { step: 'chat.announce', system: 'chat', knobs: { errorRate: 1 } });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.error).toBeNull();
    expect(result.warnings).toEqual([expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', step: 'chat.announce' })]);
    expect(statuses(result)).toEqual({
      'crm.closeDeal': 'SUCCEEDED',
      'billing.ensureCustomer': 'SUCCEEDED',
      'billing.createInvoice': 'SUCCEEDED',
      'billing.finalizeInvoice': 'SUCCEEDED',
      'chat.announce': 'FAILED',
    });
    const invoice = await vendorGet<{ status: string }>(stack, 'billing', `/v1/invoices/${result.invoiceId}`);
    expect(invoice.body.status).toBe('open');
    const customer = await vendorGet<{ deleted?: boolean }>(stack, 'billing', `/v1/customers/${result.customerId}`);
    expect(customer.body.deleted).toBeUndefined();
    expect(await dealStage(deal.id)).toBe('closedwon');
  });

  it('reports a timeout after the invoice was sent as WRITE_OUTCOME_UNKNOWN, and the retry settles it with one invoice', async () => {
    const deal = deals[5];
    const key = `win-${randomUUID()}`;
    const startedAt = Math.floor(Date.now() / 1000) - 1;
    fault = { step: 'billing.createInvoice', system: 'billing', knobs: { latencyMs: 3000 } };
    stack.resetCounts();
    const first = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    fault = undefined;
    expect(first.data!.winDeal.status).toBe('OUTCOME_UNKNOWN');
    expect(first.data!.winDeal.error).toMatchObject({ code: 'WRITE_OUTCOME_UNKNOWN', step: 'billing.createInvoice' });
    // What the step could have changed is evicted from the caches, and the answer says so.
    expect(first.data!.winDeal.error?.message).toMatch(/evicted/);
    expect(statuses(first.data!.winDeal)).toMatchObject({
      'crm.closeDeal': 'SUCCEEDED',
      'billing.ensureCustomer': 'SUCCEEDED',
      'billing.createInvoice': 'OUTCOME_UNKNOWN',
    });
    // The invoice was created upstream although the gateway never saw the answer; a retry
    // while Stripe still runs it would be refused as idempotency_key_in_use.
    const unanswered = stack.sandbox.server('billing').requests.entries.filter((entry) => entry.answeredAt === undefined);
    while (unanswered.some((entry) => entry.answeredAt === undefined)) await new Promise((resolve) => setTimeout(resolve, 50));

    const retry = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(retry.data!.winDeal.status).toBe('SUCCEEDED');
    expect(retry.data!.winDeal.replayed).toBe(false);
    const customerId = retry.data!.winDeal.customerId!;
    const invoices = await vendorGet<{ data: { id: string; status: string }[] }>(
      stack,
      'billing',
      `/v1/invoices?customer=${customerId}&created[gte]=${startedAt}`,
    );
    expect(invoices.body.data).toEqual([expect.objectContaining({ id: retry.data!.winDeal.invoiceId, status: 'open' })]);
    // Sent twice with one Idempotency-Key: Stripe replayed the first answer.
    expect(writeCount(stack, 'billing', 'POST /v1/invoices')).toBe(2);
    expect(writeCount(stack, 'crm', 'PATCH /crm/v3/objects/:type/:id')).toBe(1);
    expect(writeCount(stack, 'chat')).toBe(1);
    expect((await customersOf(deal.contactId)).length).toBeLessThanOrEqual(1);
  });

  it('keeps a deal for the key of an unknown outcome: other keys get WRITE_IN_PROGRESS, then DEAL_ALREADY_WON', async () => {
    const deal = deals[6];
    const key = `win-${randomUUID()}`;
    fault = { step: 'billing.finalizeInvoice', system: 'billing', knobs: { latencyMs: 3000 } };
    const first = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    fault = undefined;
    expect(first.data!.winDeal.status).toBe('OUTCOME_UNKNOWN');
    // The finalization the gateway gave up on, still being answered by the sandbox.
    const unanswered = stack.sandbox.server('billing').requests.entries.filter((entry) => entry.answeredAt === undefined);

    stack.resetCounts();
    const withNewKey = () =>
      stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key: `win-${randomUUID()}`, dealId: deal.id, channel: '#general' });
    const other = await withNewKey();
    expect(other.errors?.[0].extensions?.code).toBe('WRITE_IN_PROGRESS');
    expect(other.errors?.[0].message).toContain(key);
    expect(writeCount(stack, 'crm') + writeCount(stack, 'billing') + writeCount(stack, 'chat')).toBe(0);

    // Retried while Stripe still runs it, the finalization would be refused as idempotency_key_in_use.
    while (unanswered.some((entry) => entry.answeredAt === undefined)) await new Promise((resolve) => setTimeout(resolve, 50));
    const settled = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, { key, dealId: deal.id, channel: '#general' });
    expect(settled.data!.winDeal.status).toBe('SUCCEEDED');
    const after = await withNewKey();
    expect(after.errors?.[0].extensions?.code).toBe('DEAL_ALREADY_WON');
  });
});
