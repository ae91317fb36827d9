/**
 * A workflow step that fails late in the request must still be undone: the undo gets a
 * deadline of its own (found by the soak: an onboarding failed at a late
 * step, and archiving its new contact was refused at once because the request's 8 s were
 * spent, leaving the contact behind as NEEDS_ATTENTION).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepEvent } from '../src/workflows/runtime.ts';
import { hasService } from './support/services.ts';
import type { Stack } from './support/stack.ts';
import { dropSchema, openDeals, startWriteStack, vendorGet, WIN_DEAL, type DealFixture, type WinDealResult } from './writes-support.ts';

// Long enough that the steps before the failing one (CRM calls, the write store's claims) fit
// the share of the deadline the failing call leaves them, also on a busy machine.
const DEADLINE_MS = 4_000;
/** Stripe's answer to the step (a 500) comes this late: the step fails with two thirds of the deadline spent. */
const FAIL_LATENCY_MS = 2_600;
/** HubSpot's latency while the step is undone: more than the three quarters of what the request has left that one call may take. */
const UNDO_LATENCY_MS = 1_200;

describe.runIf(hasService('postgres'))('an undo after most of the request deadline is spent', () => {
  let stack: Stack & { schema: string };
  let deals: DealFixture[];
  let faulty = false;

  async function onStep(event: StepEvent): Promise<void> {
    if (!faulty || event.step !== 'billing.ensureCustomer') return;
    // Stripe fails the step late, and HubSpot has slowed down by the time the deal is to be moved back.
    if (event.phase === 'start') await stack.sandbox.server('billing').setKnobs({ errorRate: 1, latencyMs: FAIL_LATENCY_MS });
    else {
      await stack.sandbox.server('billing').setKnobs({ errorRate: 0, latencyMs: 0 });
      await stack.sandbox.server('crm').setKnobs({ latencyMs: UNDO_LATENCY_MS });
    }
  }

  beforeAll(async () => {
    stack = await startWriteStack({
      world: { size: 200 },
      onWorkflowStep: (event) => onStep(event),
      env: { UPSTREAM_RETRIES: '0', UPSTREAM_BREAKER_THRESHOLD: '1000', REQUEST_DEADLINE_MS: String(DEADLINE_MS), WRITE_LEASE_MS: '10000' },
    });
    deals = await openDeals(stack, 1);
  });
  afterAll(async () => {
    await stack?.close();
    if (stack) await dropSchema(stack.schema);
  });

  it('moves the deal back to its stage within a deadline of its own', async () => {
    const deal = deals[0];
    faulty = true;
    let result: WinDealResult;
    try {
      const answer = await stack.query<{ winDeal: WinDealResult }>(WIN_DEAL, {
        key: `win-${randomUUID()}`,
        dealId: deal.id,
        channel: '#general',
      });
      expect(answer.errors).toBeUndefined();
      result = answer.data!.winDeal;
    } finally {
      faulty = false;
      await stack.sandbox.server('crm').setKnobs({ latencyMs: 0 });
    }

    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({ step: 'billing.ensureCustomer' });
    expect(result.steps.map((step) => [step.name, step.status])).toEqual([
      ['crm.closeDeal', 'COMPENSATED'],
      ['billing.ensureCustomer', 'FAILED'],
      ['billing.createInvoice', 'PENDING'],
      ['billing.finalizeInvoice', 'PENDING'],
      ['chat.announce', 'PENDING'],
    ]);
    const { body } = await vendorGet<{ properties: { dealstage: string } }>(
      stack,
      'crm',
      `/crm/v3/objects/deals/${deal.id}?properties=dealstage`,
    );
    expect(body.properties.dealstage).toBe(deal.stageRaw);
  });
});
