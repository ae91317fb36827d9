/**
 * Billing writes. Inputs are validated with zod before anything is sent; every Stripe POST
 * carries an Idempotency-Key (one base per command, a suffix per request), so a retry by
 * the shared upstream layer after a timeout replays instead of writing twice. The GraphQL
 * mutations and the cross-system workflows both call these; neither writes to Stripe itself.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ChangeSpec } from '../../changes/types.ts';
import { validate, type Command } from '../../command.ts';
import { GatewayError } from '../../errors.ts';
import type { BillingConnector } from './client.ts';
import { HUBSPOT_CONTACT_METADATA_KEY } from '../../links/contact-customer.ts';
import type { StripeCustomer, StripeInvoice, StripeSubscription } from './schemas.ts';
import type { FormParams } from './wire.ts';

export const stripeId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9_]{1,64}$`), { error: `must be a Stripe id starting ${prefix}_` });
const contactId = z.string().regex(/^\d{1,20}$/, { error: 'must be a HubSpot contact ID (digits)' });
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `must be at most ${max} characters` });
const email = z.email({ error: 'must be an email address' }).max(254);
const phone = z.string().regex(/^[+\d][\d\s().-]{2,31}$/, { error: 'must be a phone number' });
const clearable = <T extends z.ZodType>(schema: T) => z.union([z.literal(''), schema]).nullish();

const customerInput = z.object({
  contactId: contactId.nullish(),
  email: email.nullish(),
  name: text(256).nullish(),
  phone: phone.nullish(),
  description: text(350).nullish(),
});
const updateCustomerInput = z
  .object({
    contactId: clearable(contactId),
    email: clearable(email),
    name: clearable(text(256)),
    phone: clearable(phone),
    description: clearable(text(350)),
  })
  .refine((value) => Object.values(value).some((field) => field !== undefined && field !== null), {
    error: 'give at least one field to change',
  });

export const lineItemInput = z.object({
  description: text(500).min(1, { error: 'must not be empty' }),
  unitAmount: z.number().int().positive({ error: 'must be more than 0 (minor units)' }).max(99_999_999),
  quantity: z.number().int().min(1, { error: 'must be 1 or more' }).max(10_000).nullish(),
});
export const invoiceInput = z.object({
  customerId: stripeId('cus'),
  currency: z.string().regex(/^[a-z]{3}$/, { error: 'must be a lower-case ISO currency code like usd' }),
  lineItems: z.array(lineItemInput).min(1, { error: 'give at least one line item' }).max(50),
  description: text(500).nullish(),
  daysUntilDue: z.number().int().min(0).max(730).nullish(),
});
export type InvoiceInput = z.output<typeof invoiceInput>;

/** Stripe form params for a customer; `undefined` leaves a field alone, "" clears it. */
function customerParams(input: z.output<typeof customerInput> | Record<string, string | null | undefined>): FormParams {
  const metadata =
    input.contactId === undefined || input.contactId === null ? undefined : { [HUBSPOT_CONTACT_METADATA_KEY]: input.contactId };
  const field = (value: string | null | undefined) => (value === null ? undefined : value);
  return { email: field(input.email), name: field(input.name), phone: field(input.phone), description: field(input.description), metadata };
}

export function customerChange(customer: StripeCustomer, action: 'created' | 'updated', previous?: StripeCustomer | null): ChangeSpec {
  return {
    system: 'billing',
    entity: 'customer',
    id: customer.id,
    action,
    record: customer,
    related: { contactId: customer.metadata[HUBSPOT_CONTACT_METADATA_KEY], email: customer.email ?? undefined },
    previous: previous ? { email: previous.email, metadata: previous.metadata } : undefined,
  };
}

export function invoiceChange(invoice: StripeInvoice, action: 'created' | 'updated' | 'deleted'): ChangeSpec {
  return {
    system: 'billing',
    entity: 'invoice',
    id: invoice.id,
    action,
    record: action === 'deleted' ? undefined : invoice,
    related: { customerId: invoice.customer ?? undefined },
  };
}

/** The audit record's upstream ids for a Stripe write. */
const sent = (ids: Record<string, string>) => [{ system: 'billing' as const, ids }];

export function createCustomer(
  billing: BillingConnector,
  input: { contactId?: string | null; email?: string | null },
): Command<StripeCustomer> {
  return {
    // A customer that may now exist: the contact's and the email's links re-resolve.
    affects: () => [
      {
        system: 'billing',
        entity: 'customer',
        id: '',
        action: 'created',
        related: { contactId: input.contactId ?? undefined, email: input.email ?? undefined },
      },
    ],
    async run() {
      const valid = validate(customerInput, input, 'input');
      const key = randomUUID();
      const customer = await billing.createCustomer(customerParams(valid), key);
      return {
        value: customer,
        upstream: sent({ customerId: customer.id, idempotencyKey: key }),
        changes: [customerChange(customer, 'created')],
      };
    },
  };
}

export function updateCustomer(billing: BillingConnector, id: string, input: unknown): Command<StripeCustomer> {
  return {
    affects: () => [{ system: 'billing', entity: 'customer', id, action: 'updated' }],
    async run() {
      const customerId = validate(stripeId('cus'), id, 'id');
      const valid = validate(updateCustomerInput, input, 'input');
      const key = randomUUID();
      const previous = await billing.retrieveCustomer(customerId);
      if (!previous) throw new GatewayError('NOT_FOUND', 'Stripe has no such customer', { service: 'billing' });
      const params = customerParams(valid);
      // Stripe removes a metadata key set to "".
      const form: FormParams = valid.contactId === '' ? { ...params, metadata: { [HUBSPOT_CONTACT_METADATA_KEY]: '' } } : params;
      const customer = await billing.updateCustomer(customerId, form, key);
      return {
        value: customer,
        upstream: sent({ customerId, idempotencyKey: key }),
        changes: [customerChange(customer, 'updated', previous)],
      };
    },
  };
}

/** A new customer for a CRM contact, linked to it by metadata; `key` is the Idempotency-Key. */
export async function createContactCustomer(
  billing: BillingConnector,
  contact: { id: string; email: string | null; name: string | undefined },
  key: string,
): Promise<{ customer: StripeCustomer; change: ChangeSpec }> {
  const customer = await billing.createCustomer(
    { email: contact.email ?? undefined, name: contact.name, metadata: { [HUBSPOT_CONTACT_METADATA_KEY]: contact.id } },
    key,
  );
  return { customer, change: customerChange(customer, 'created') };
}

/** Deletes a customer for good (an undo); `contactId` is the contact it was linked to. */
export async function deleteCustomer(billing: BillingConnector, customerId: string, contactId: string | undefined): Promise<ChangeSpec> {
  await billing.deleteCustomer(customerId);
  return { system: 'billing', entity: 'customer', id: customerId, action: 'deleted', related: { contactId } };
}

/**
 * Creates a draft invoice and its lines, then reads it back. `key` derives each request's
 * Idempotency-Key, so a repeat with the same key creates nothing new; `onCreated` hears the
 * draft's id before its lines are added.
 */
export async function createDraftInvoice(
  billing: BillingConnector,
  input: InvoiceInput,
  key: string,
  onCreated?: (id: string) => Promise<void>,
): Promise<{ invoice: StripeInvoice; change: ChangeSpec }> {
  const draft = await billing.createInvoice(
    {
      customer: input.customerId,
      currency: input.currency,
      description: input.description ?? undefined,
      collection_method: input.daysUntilDue === null || input.daysUntilDue === undefined ? 'charge_automatically' : 'send_invoice',
      days_until_due: input.daysUntilDue ?? undefined,
      auto_advance: false,
      // Only the lines given here: never sweep in the customer's other pending items.
      pending_invoice_items_behavior: 'exclude',
    },
    `${key}:invoice`,
  );
  await onCreated?.(draft.id);
  for (const [index, line] of input.lineItems.entries()) {
    await billing.createInvoiceItem(
      {
        customer: input.customerId,
        invoice: draft.id,
        currency: input.currency,
        description: line.description,
        unit_amount: line.unitAmount,
        quantity: line.quantity ?? 1,
      },
      `${key}:line:${index}`,
    );
  }
  const invoice = await billing.retrieveInvoice(draft.id);
  if (!invoice) throw new GatewayError('UPSTREAM_BAD_RESPONSE', 'Stripe lost the invoice it just created', { service: 'billing' });
  return { invoice, change: invoiceChange(invoice, 'created') };
}

export function createInvoice(billing: BillingConnector, input: unknown): Command<StripeInvoice> {
  return {
    affects: () => [],
    async run() {
      const valid = validate(invoiceInput, input, 'input');
      const key = randomUUID();
      const { invoice, change } = await createDraftInvoice(billing, valid, key);
      return { value: invoice, upstream: sent({ invoiceId: invoice.id, idempotencyKey: key }), changes: [change] };
    },
  };
}

export type InvoiceTransition = 'finalize' | 'pay' | 'void';

/** Moves an invoice on (finalize, pay, void); `key` is the Idempotency-Key. */
export async function moveInvoice(
  billing: BillingConnector,
  transition: InvoiceTransition,
  invoiceId: string,
  key: string,
  options: { paidOutOfBand?: boolean } = {},
): Promise<{ invoice: StripeInvoice; change: ChangeSpec }> {
  const invoice =
    transition === 'finalize'
      ? await billing.finalizeInvoice(invoiceId, key)
      : transition === 'pay'
        ? await billing.payInvoice(invoiceId, { paid_out_of_band: options.paidOutOfBand || undefined }, key)
        : await billing.voidInvoice(invoiceId, key);
  return { invoice, change: invoiceChange(invoice, 'updated') };
}

/** finalizeInvoice, payInvoice, voidInvoice. */
export function changeInvoice(
  billing: BillingConnector,
  transition: InvoiceTransition,
  args: { id: string; paidOutOfBand?: boolean | null },
): Command<StripeInvoice> {
  return {
    affects: () => [{ system: 'billing', entity: 'invoice', id: args.id, action: 'updated' }],
    async run() {
      const id = validate(stripeId('in'), args.id, 'id');
      const key = randomUUID();
      const { invoice, change } = await moveInvoice(billing, transition, id, key, { paidOutOfBand: args.paidOutOfBand ?? false });
      return { value: invoice, upstream: sent({ invoiceId: id, idempotencyKey: key }), changes: [change] };
    },
  };
}

/** Voids an open invoice or deletes a draft (an undo); a paid invoice cannot be undone here. */
export async function undoInvoice(
  billing: BillingConnector,
  invoiceId: string,
): Promise<{ summary: string | null; changes?: ChangeSpec[] }> {
  const invoice = await billing.retrieveInvoice(invoiceId);
  if (!invoice) return { summary: `Invoice ${invoiceId} is already gone` };
  switch (invoice.status) {
    case 'draft':
      await billing.deleteInvoice(invoiceId);
      return { summary: `Deleted draft invoice ${invoiceId}`, changes: [invoiceChange(invoice, 'deleted')] };
    case 'open':
    case 'uncollectible': {
      const voided = await billing.voidInvoice(invoiceId, `sb:void:${invoiceId}`);
      return { summary: `Voided invoice ${invoiceId}`, changes: [invoiceChange(voided, 'updated')] };
    }
    case 'void':
      return { summary: `Invoice ${invoiceId} is void` };
    default:
      throw new GatewayError(
        'UPSTREAM_CONFLICT',
        `Invoice ${invoiceId} is ${invoice.status ?? 'in an unknown state'} and cannot be voided; refund it in Stripe`,
        { service: 'billing' },
      );
  }
}

/** A plan for a customer, invoiced rather than charged (a new customer has no payment method yet). */
export async function createSubscription(
  billing: BillingConnector,
  plan: { customerId: string; priceId: string; quantity?: number | null; trialDays?: number | null },
  key: string,
): Promise<{ subscription: StripeSubscription; change: ChangeSpec }> {
  const subscription = await billing.createSubscription(
    {
      customer: plan.customerId,
      items: [{ price: plan.priceId, quantity: plan.quantity ?? 1 }],
      collection_method: 'send_invoice',
      days_until_due: 30,
      trial_period_days: plan.trialDays ?? undefined,
    },
    key,
  );
  const change: ChangeSpec = {
    system: 'billing',
    entity: 'subscription',
    id: subscription.id,
    action: 'created',
    related: { customerId: plan.customerId },
  };
  return { subscription, change };
}

/** Cancels a subscription at once (an undo). */
export async function cancelSubscription(billing: BillingConnector, subscriptionId: string): Promise<ChangeSpec> {
  const canceled = await billing.cancelSubscription(subscriptionId);
  return { system: 'billing', entity: 'subscription', id: subscriptionId, action: 'updated', related: { customerId: canceled.customer } };
}
