/**
 * Stripe search is not read-after-write (the sandbox lags it by 2 s, as Stripe does): lists
 * the gateway reads through search must still show what was just written through it, also
 * when the list was not cached before the write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

describe('read-your-write over lagging Stripe search', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 50 } });
    expect((await stack.sandbox.server('billing').knobs).searchLagMs).toBeGreaterThanOrEqual(2000);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("shows a new invoice, and the charge that paying it made, in the customer's lists at once", async () => {
    const customerId = stack.sandbox.world.customers.find((c) => c.contactId && c.linkedByMetadata)!.id;
    const created = await stack.query<{ createInvoice: { id: string } }>(
      `mutation { createInvoice(input: { customerId: "${customerId}", currency: "usd", lineItems: [{ description: "Seats", unitAmount: 1500, quantity: 2 }] }) { id } }`,
    );
    expect(created.errors).toBeUndefined();
    const invoiceId = created.data!.createInvoice.id;

    const listed = await stack.query<{ customer: { invoices: { id: string; status: string }[] } }>(
      `{ customer(id: "${customerId}") { invoices { id status } } }`,
    );
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.customer.invoices.map((i) => i.id)).toContain(invoiceId);

    const finalized = await stack.query(`mutation { finalizeInvoice(id: "${invoiceId}") { id } }`);
    expect(finalized.errors).toBeUndefined();
    const paid = await stack.query<{ payInvoice: { status: string } }>(`mutation { payInvoice(id: "${invoiceId}") { status } }`);
    expect(paid.errors).toBeUndefined();
    expect(paid.data!.payInvoice.status).toBe('PAID');

    const after = await stack.query<{
      customer: { invoices: { id: string; status: string }[]; charges: { id: string; invoice: { id: string } | null }[] };
    }>(`{ customer(id: "${customerId}") { invoices { id status } charges { id invoice { id } } } }`);
    expect(after.errors).toBeUndefined();
    expect(after.data!.customer.invoices.find((i) => i.id === invoiceId)?.status).toBe('PAID');
    expect(after.data!.customer.charges.some((c) => c.invoice?.id === invoiceId)).toBe(true);
  });

  it("makes a contact's new customer its billing customer at once, although search still shows only the old one", async () => {
    const world = stack.sandbox.world;
    const old = world.customers.filter((c) => c.contactId && c.linkedByMetadata).at(-1)!;
    const contactId = old.contactId!;
    const created = await stack.query<{ createCustomer: { id: string } }>(
      `mutation { createCustomer(input: { contactId: "${contactId}", email: "second.account@example.com", name: "Second account" }) { id } }`,
    );
    expect(created.errors).toBeUndefined();
    const newId = created.data!.createCustomer.id;

    // The contact's links were never read before the write: nothing cached to update, and
    // the search the gateway would ask still answers with the old customer only.
    const read = await stack.query<{ contact: { billingCustomer: { id: string } } }>(
      `{ contact(id: "${contactId}") { billingCustomer { id } } }`,
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.contact.billingCustomer.id).toBe(newId);
    expect(newId).not.toBe(old.id);
  });
});
