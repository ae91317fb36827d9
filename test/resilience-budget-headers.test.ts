/**
 * The client-side budget follows what the vendor says is left: when HubSpot's
 * X-HubSpot-RateLimit-Remaining reaches 0, the gateway stops calling it although its own
 * configured budget still has room, instead of running into 429s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

describe("a budget adapting to HubSpot's rate-limit headers", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 50 }, env: { UPSTREAM_BUDGET_CRM: '10/10s' } });
    // HubSpot reports a window of 3 calls; the sandbox counts but does not enforce it.
    const response = await fetch(`${stack.sandbox.urls.crm}/__sandbox/limits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenSecondlyMax: 3, enforceTenSecondly: false }),
    });
    expect(response.status).toBe(200);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers RATE_LIMITED without calling HubSpot once HubSpot says no calls remain', async () => {
    stack.resetCounts();
    for (const id of ['10000001', '10000002', '10000003']) {
      const result = await stack.query(`{ contact(id: "${id}") { id } }`);
      expect(result.errors).toBeUndefined();
    }
    expect(stack.counts().crm).toBe(3);
    const limited = await stack.query('{ contact(id: "10000004") { id } }');
    expect(limited.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', service: 'crm' });
    expect(limited.errors?.[0].extensions?.retryAfter).toBeGreaterThanOrEqual(1);
    expect(stack.counts().crm).toBe(3);
  });
});
