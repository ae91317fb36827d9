/**
 * A write whose connection breaks after the vendor received it may have been applied: it is
 * answered WRITE_OUTCOME_UNKNOWN, never as a plain failure (found by the soak: Stripe
 * applied a customer update whose connection an outage cut, and the gateway answered
 * UPSTREAM_UNAVAILABLE). A retry of it that meets a refused connection does not make it
 * look unsent.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

const CUSTOMER_UPDATE = 'POST /v1/customers/:id';

describe('a write whose connection is cut after the vendor received it', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 40 } });
  });
  afterAll(async () => stack?.close());

  it('is answered WRITE_OUTCOME_UNKNOWN, and the vendor holds it', async () => {
    const billing = stack.sandbox.server('billing');
    const customer = stack.sandbox.world.customers[1];
    // Stripe applies the update; its answer is held until the outage cuts the connection.
    const gate = billing.gate({ route: CUSTOMER_UPDATE, match: 'Cut' }).id;
    const answer = stack.query(`mutation { updateCustomer(id: "${customer.id}", input: { name: "Cut off" }) { name } }`);
    await vi.waitFor(
      () => expect(billing.requests.entries.some((e) => e.route === CUSTOMER_UPDATE && e.body?.includes('Cut'))).toBe(true),
      {
        timeout: 10_000,
      },
    );
    await billing.setKnobs({ outage: 'refuse' });
    let result: Awaited<typeof answer>;
    try {
      result = await answer;
    } finally {
      billing.clearGates(gate);
      await billing.setKnobs({ outage: 'none' });
    }

    expect(result.errors?.[0]?.extensions?.code).toBe('WRITE_OUTCOME_UNKNOWN');
    const read = await stack.query<{ customer: { name: string } }>(`{ customer(id: "${customer.id}") { name } }`);
    expect(read.data!.customer.name).toBe('Cut off');
  });
});
