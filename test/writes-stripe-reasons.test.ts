/**
 * A refused Stripe write tells the caller Stripe's own reason (sanitized, capped) under a
 * stable code: "Invoice is already paid", "No such price: 'price_…'", not a paraphrase of
 * Stripe's error type or of the parameter's name.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyStripeResponse, MAX_VENDOR_MESSAGE } from '../src/systems/billing/profile.ts';
import { hasService } from './support/services.ts';
import type { Stack } from './support/stack.ts';
import { dropSchema, startWriteStack } from './writes-support.ts';

describe('Stripe error reasons (profile)', () => {
  const refused = (message: string, extra: Record<string, string> = {}) => ({
    status: 400,
    headers: {},
    body: { error: { type: 'invalid_request_error', message, ...extra } },
  });

  it("passes a write's reason through without key-like tokens or control characters, capped", () => {
    const body = refused('Bad key sk_test_abcDEF123 used\nhere; whsec_zzz too', { code: 'parameter_invalid' });
    const error = classifyStripeResponse(body, { method: 'POST' });
    expect(error?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toBe('Stripe rejected the request: Bad key [redacted] used here; [redacted] too');
    const long = classifyStripeResponse(refused('x'.repeat(5000)), { method: 'POST' });
    expect(long!.message.length).toBeLessThanOrEqual('Stripe rejected the request: '.length + MAX_VENDOR_MESSAGE);
    expect(long!.message.endsWith('…')).toBe(true);
  });

  it("keeps a read's message to Stripe's code and parameter (a read's parameters are the gateway's)", () => {
    const body = refused('Invalid integer: secret-ish', { code: 'parameter_invalid_integer', param: 'limit' });
    const error = classifyStripeResponse(body, { method: 'GET' });
    expect(error?.message).toBe('Stripe rejected the request: parameter invalid integer (limit)');
  });
});

describe.runIf(hasService('postgres'))('Stripe error reasons through the gateway', () => {
  let stack: Stack & { schema: string };
  beforeAll(async () => {
    stack = await startWriteStack({ world: { size: 50 } });
  });
  afterAll(async () => {
    await stack?.close();
    if (stack) await dropSchema(stack.schema);
  });

  it('paying an invoice twice says "Invoice is already paid", as Stripe did', async () => {
    const customer = await stack.query<{ createCustomer: { id: string } }>(
      'mutation { createCustomer(input: { email: "twice-paid@example.com" }) { id } }',
    );
    const draft = await stack.query<{ createInvoice: { id: string } }>(
      `mutation { createInvoice(input: { customerId: "${customer.data!.createCustomer.id}", currency: "usd",
        lineItems: [{ description: "Seats", unitAmount: 1500 }] }) { id } }`,
    );
    const id = draft.data!.createInvoice.id;
    expect((await stack.query(`mutation { finalizeInvoice(id: "${id}") { id } }`)).errors).toBeUndefined();
    expect((await stack.query(`mutation { payInvoice(id: "${id}", paidOutOfBand: true) { id } }`)).errors).toBeUndefined();

    const again = await stack.query(`mutation { payInvoice(id: "${id}", paidOutOfBand: true) { id } }`);
    expect(again.errors?.[0].message).toBe('Stripe rejected the request: Invoice is already paid');
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', service: 'billing' });
  });

  it("an unknown price says Stripe's \"No such price: '…'\", not the parameter's name", async () => {
    const result = await stack.query(
      `mutation { onboardCustomer(idempotencyKey: "onboard-${randomUUID()}",
        contact: { email: "price-${randomUUID().slice(0, 8)}@example.com" },
        plan: { priceId: "price_doesnotexist" }, notify: { channel: "#general" }) { status error { code message } } }`,
    );
    const text = JSON.stringify(result);
    expect(text).toContain("No such price: 'price_doesnotexist'");
    expect(text).not.toContain('items 0 price');
    expect(text).toContain('NOT_FOUND');
  });
});
