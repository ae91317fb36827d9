/**
 * Billing and chat mutations, and onboardCustomer, through the gateway against the Stripe
 * and Slack sandboxes: records come back as the vendor holds them, links show up at once
 * although Stripe search lags, bad input never leaves the gateway.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasService } from './support/services.ts';
import type { Stack } from './support/stack.ts';
import { dropSchema, startWriteStack, vendorGet, writeCount } from './writes-support.ts';

describe.runIf(hasService('postgres'))('billing and chat mutations, onboardCustomer', () => {
  let stack: Stack & { schema: string };
  /** A step of a cross-system write during which billing answers 500 (the compensation test). */
  let failingStep: string | undefined;
  beforeAll(async () => {
    stack = await startWriteStack({
      onWorkflowStep: async (event) => {
        if (event.step !== failingStep) return;
        await stack.sandbox.server('billing').setKnobs({ errorRate: event.phase === 'start' ? 1 : 0 });
      },
      // One try per call and a breaker that stays closed, so the injected fault fails exactly its step.
      env: { UPSTREAM_RETRIES: '0', UPSTREAM_BREAKER_THRESHOLD: '1000' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    if (stack) await dropSchema(stack.schema);
  });

  async function contactWithoutCustomer(): Promise<{ id: string; email: string }> {
    const result = await stack.query<{ contacts: { nodes: { id: string; email: string; billingCustomer: { id: string } | null }[] } }>(
      '{ contacts(first: 100) { nodes { id email billingCustomer { id } } } }',
    );
    return result.data!.contacts.nodes.find((c) => c.billingCustomer === null && c.email)!;
  }

  it('creates a customer for a contact and Contact.billingCustomer shows it at once, despite the lagging search', async () => {
    const contact = await contactWithoutCustomer();
    const created = await stack.query<{ createCustomer: { id: string; email: string; hubspotContactId: string; name: string } }>(
      `mutation { createCustomer(input: { contactId: "${contact.id}", email: "${contact.email}", name: "Linked Person" }) { id email hubspotContactId name } }`,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createCustomer).toMatchObject({ hubspotContactId: contact.id, name: 'Linked Person' });
    const read = await stack.query<{ contact: { billingCustomer: { id: string } | null } }>(
      `{ contact(id: "${contact.id}") { billingCustomer { id } } }`,
    );
    expect(read.data!.contact.billingCustomer).toEqual({ id: created.data!.createCustomer.id });

    const updated = await stack.query<{ updateCustomer: { name: string; phone: string } }>(
      `mutation { updateCustomer(id: "${created.data!.createCustomer.id}", input: { name: "Renamed", phone: "+1 555 0100" }) { name phone } }`,
    );
    expect(updated.data!.updateCustomer).toEqual({ name: 'Renamed', phone: '+1 555 0100' });
    const reread = await stack.query<{ customer: { name: string } }>(`{ customer(id: "${created.data!.createCustomer.id}") { name } }`);
    expect(reread.data!.customer.name).toBe('Renamed');
  });

  it('creates, finalizes, pays and voids invoices, each answer as Stripe holds it', async () => {
    const customer = await stack.query<{ createCustomer: { id: string } }>(
      'mutation { createCustomer(input: { email: "inv@example.com" }) { id } }',
    );
    const customerId = customer.data!.createCustomer.id;
    const draft = await stack.query<{ createInvoice: { id: string; status: string; total: { amount: number } | null } }>(
      `mutation { createInvoice(input: { customerId: "${customerId}", currency: "usd", lineItems: [{ description: "Seats", unitAmount: 1500, quantity: 3 }, { description: "Setup", unitAmount: 500 }] }) { id status } }`,
    );
    expect(draft.errors).toBeUndefined();
    expect(draft.data!.createInvoice.status).toBe('DRAFT');
    const id = draft.data!.createInvoice.id;
    const lines = await vendorGet<{ total: number }>(stack, 'billing', `/v1/invoices/${id}`);
    expect(lines.body.total).toBe(5000);
    const finalized = await stack.query<{ finalizeInvoice: { status: string } }>(`mutation { finalizeInvoice(id: "${id}") { status } }`);
    expect(finalized.data!.finalizeInvoice.status).toBe('OPEN');
    const listed = await stack.query<{ customer: { invoices: { id: string; status: string }[] } }>(
      `{ customer(id: "${customerId}") { invoices { id status } } }`,
    );
    expect(listed.data!.customer.invoices).toEqual([{ id, status: 'OPEN' }]);
    const paid = await stack.query<{ payInvoice: { status: string } }>(
      `mutation { payInvoice(id: "${id}", paidOutOfBand: true) { status } }`,
    );
    expect(paid.data!.payInvoice.status).toBe('PAID');

    const second = await stack.query<{ createInvoice: { id: string } }>(
      `mutation { createInvoice(input: { customerId: "${customerId}", currency: "usd", lineItems: [{ description: "Extra", unitAmount: 100 }], daysUntilDue: 14 }) { id } }`,
    );
    const secondId = second.data!.createInvoice.id;
    await stack.query(`mutation { finalizeInvoice(id: "${secondId}") { id } }`);
    const voided = await stack.query<{ voidInvoice: { status: string } }>(`mutation { voidInvoice(id: "${secondId}") { status } }`);
    expect(voided.data!.voidInvoice.status).toBe('VOID');
    const vendor = await vendorGet<{ status: string }>(stack, 'billing', `/v1/invoices/${secondId}`);
    expect(vendor.body.status).toBe('void');
  });

  it('turns Stripe refusing a transition into BAD_USER_INPUT with its reason', async () => {
    const customer = await stack.query<{ createCustomer: { id: string } }>(
      'mutation { createCustomer(input: { email: "refuse@example.com" }) { id } }',
    );
    const draft = await stack.query<{ createInvoice: { id: string } }>(
      `mutation { createInvoice(input: { customerId: "${customer.data!.createCustomer.id}", currency: "usd", lineItems: [{ description: "X", unitAmount: 100 }] }) { id } }`,
    );
    const result = await stack.query(`mutation { voidInvoice(id: "${draft.data!.createInvoice.id}") { id } }`);
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', service: 'billing' });
    expect(result.errors![0].message).not.toMatch(/sk_|Bearer/);
  });

  it('rejects bad billing and chat input field by field, with no upstream call', async () => {
    stack.resetCounts();
    const billing = await stack.query(
      'mutation { createInvoice(input: { customerId: "abc", currency: "dollars", lineItems: [{ description: "x", unitAmount: 0, quantity: 0 }] }) { id } }',
    );
    expect(billing.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: {
        'input.customerId': expect.any(String),
        'input.currency': expect.any(String),
        'input.lineItems.0.unitAmount': expect.any(String),
        'input.lineItems.0.quantity': expect.any(String),
      },
    });
    const customer = await stack.query('mutation { createCustomer(input: { email: "nope", contactId: "x" }) { id } }');
    expect(customer.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { 'input.email': expect.any(String), 'input.contactId': expect.any(String) },
    });
    const chat = await stack.query('mutation { postMessage(input: { channel: "#general", blocks: "[{\\"text\\": 1}]" }) { ts } }');
    expect(chat.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { 'input.blocks.0.type': expect.any(String) } });
    const empty = await stack.query('mutation { postMessage(input: { channel: "#general", text: "  " }) { ts } }');
    expect(empty.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { 'input.text': expect.any(String) } });
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });

  it('posts a message by channel name with blocks, and the channel history shows it on the next read', async () => {
    const channels = await stack.query<{ channel: { id: string; messages: { nodes: { ts: string }[] } } }>(
      '{ channel: channelByName(name: "general") { id messages(first: 5) { nodes { ts } } } }',
    );
    expect(channels.errors).toBeUndefined();
    const posted = await stack.query<{ postMessage: { ts: string; text: string; channel: { id: string } } }>(
      'mutation($blocks: String) { postMessage(input: { channel: "#general", text: "Hello from a test", blocks: $blocks }) { ts text channel { id } } }',
      { blocks: JSON.stringify([{ type: 'section', text: { type: 'mrkdwn', text: '*Hello*' } }]) },
    );
    expect(posted.errors).toBeUndefined();
    expect(posted.data!.postMessage).toMatchObject({ text: 'Hello from a test', channel: { id: channels.data!.channel.id } });
    const after = await stack.query<{ channel: { messages: { nodes: { ts: string }[] } } }>(
      '{ channel: channelByName(name: "general") { messages(first: 5) { nodes { ts } } } }',
    );
    expect(after.data!.channel.messages.nodes[0].ts).toBe(posted.data!.postMessage.ts);
  });

  it('onboards a customer: contact, linked customer, subscription and welcome; a replay writes nothing', async () => {
    const key = `onboard-${randomUUID()}`;
    const email = `onboard-${randomUUID().slice(0, 8)}@example.com`;
    const mutation = `mutation($key: String!, $email: String!) {
      onboardCustomer(idempotencyKey: $key, contact: { email: $email, firstName: "Olga" }, plan: { priceId: "price_growth_monthly", quantity: 2 }, notify: { channel: "#general" }) {
        status replayed steps { name status } contactId: upstreamId(name: "contactId") customerId: upstreamId(name: "customerId") subscriptionId: upstreamId(name: "subscriptionId")
      }
    }`;
    const first = await stack.query<{
      onboardCustomer: {
        status: string;
        replayed: boolean;
        steps: { name: string; status: string }[];
        contactId: string;
        customerId: string;
        subscriptionId: string;
      };
    }>(mutation, { key, email });
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    const outcome = first.data!.onboardCustomer;
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.steps.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const linked = await stack.query<{ contactByEmail: { id: string; billingCustomer: { id: string; subscriptions: { id: string }[] } } }>(
      `{ contactByEmail(email: "${email}") { id billingCustomer { id subscriptions { id } } } }`,
    );
    expect(linked.data!.contactByEmail).toEqual({
      id: outcome.contactId,
      billingCustomer: { id: outcome.customerId, subscriptions: [{ id: outcome.subscriptionId }] },
    });
    stack.resetCounts();
    const replay = await stack.query<{ onboardCustomer: { replayed: boolean; subscriptionId: string } }>(mutation, { key, email });
    expect(replay.data!.onboardCustomer).toEqual({
      ...replay.data!.onboardCustomer,
      replayed: true,
      subscriptionId: outcome.subscriptionId,
    });
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });

  it('runs two onboardings of one email with different keys one after the other: the second is refused, one customer is billed', async () => {
    const email = `twice-${randomUUID().slice(0, 8)}@example.com`;
    const onboard = (key: string) =>
      stack.query<{ onboardCustomer: { status: string } }>(
        `mutation { onboardCustomer(idempotencyKey: "${key}", contact: { email: "${email}" },
          plan: { priceId: "price_growth_monthly" }, notify: { channel: "#general" }) { status } }`,
      );
    const crm = stack.sandbox.server('crm');
    stack.resetCounts();
    // HubSpot holds the first run's contact creation until the second run has answered.
    const gate = crm.gate({ route: 'POST /crm/v3/objects/:type', timeoutMs: 14_000 }).id;
    const first = onboard(`onboard-${randomUUID()}`);
    await vi.waitFor(() => expect(crm.requests.entries.some((e) => e.route === 'POST /crm/v3/objects/:type')).toBe(true), {
      timeout: 10_000,
    });
    const second = await onboard(`onboard-${randomUUID()}`);
    // It waited for the email's first run instead of creating the contact too.
    expect(second.errors?.[0]?.extensions?.code).toBe('WRITE_IN_PROGRESS');
    expect(crm.requests.entries.filter((e) => e.route === 'POST /crm/v3/objects/:type')).toHaveLength(1);
    crm.openGate(gate);
    expect((await first).data!.onboardCustomer.status).toBe('SUCCEEDED');
    const third = await onboard(`onboard-${randomUUID()}`);
    expect(third.errors?.[0]?.extensions?.code ?? third.data?.onboardCustomer.status).toMatch(/UPSTREAM_CONFLICT|FAILED/);
    expect(writeCount(stack, 'billing', 'POST /v1/customers')).toBe(1);
  });

  it('compensates a failed onboarding: the subscription step fails, the customer is deleted and the contact archived', async () => {
    const email = `failing-${randomUUID().slice(0, 8)}@example.com`;
    stack.resetCounts();
    // An unknown price is refused before anything is written now: Stripe failing at the subscription is what is left.
    failingStep = 'billing.createSubscription';
    const result = await stack
      .query<{ onboardCustomer: { status: string; steps: { name: string; status: string }[]; contactId: string; customerId: string } }>(
        `mutation { onboardCustomer(idempotencyKey: "onboard-${randomUUID()}", contact: { email: "${email}" },
          plan: { priceId: "price_growth_monthly" }, notify: { channel: "#general" }) {
        status steps { name status } contactId: upstreamId(name: "contactId") customerId: upstreamId(name: "customerId") } }`,
      )
      .finally(() => {
        failingStep = undefined;
      });
    const outcome = result.data!.onboardCustomer;
    expect(outcome.status).toBe('FAILED');
    expect(outcome.steps.map((s) => s.status)).toEqual(['COMPENSATED', 'COMPENSATED', 'FAILED', 'PENDING']);
    const customer = await vendorGet<{ deleted?: boolean }>(stack, 'billing', `/v1/customers/${outcome.customerId}`);
    expect(customer.body.deleted).toBe(true);
    const contact = await vendorGet(stack, 'crm', `/crm/v3/objects/contacts/${outcome.contactId}`);
    expect(contact.status).toBe(404);
    expect(writeCount(stack, 'chat')).toBe(0);
  });
});
