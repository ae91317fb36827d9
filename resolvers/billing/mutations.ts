/**
 * Billing mutations. Inputs are validated with zod before anything is sent; every Stripe
 * POST carries an Idempotency-Key (one base per mutation call, a suffix per request), so a
 * retry by the shared upstream layer after a timeout replays instead of writing twice.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HUBSPOT_CONTACT_METADATA_KEY } from '../../src/systems/billing/loaders.ts';
import type { StripeCustomer, StripeInvoice } from '../../src/systems/billing/schemas.ts';
import type { FormParams } from '../../src/systems/billing/wire.ts';
import type { GatewayContext } from '../../src/context.ts';
import { GatewayError } from '../../src/errors.ts';
import type { MutationResolvers } from '../../src/generated/billing.ts';
import { performWrite, validate, type ChangeSpec } from '../../src/workflows/write.ts';

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

export const customerInput = z.object({
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
export function customerParams(input: z.output<typeof customerInput> | Record<string, string | null | undefined>): FormParams {
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

/**
 * Creates a draft invoice and its lines, then reads it back. `key` derives each request's
 * Idempotency-Key, so a repeat with the same key creates nothing new.
 */
export async function createDraftInvoice(
  context: GatewayContext,
  input: InvoiceInput,
  key: string,
  onCreated?: (id: string) => Promise<void>,
): Promise<StripeInvoice> {
  const billing = context.connectors.billing;
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
  return invoice;
}

function invoiceAction(operation: 'finalizeInvoice' | 'payInvoice' | 'voidInvoice'): NonNullable<MutationResolvers['finalizeInvoice']> {
  return async (_parent, args, context) => {
    const affects = (): ChangeSpec[] => [{ system: 'billing', entity: 'invoice', id: args.id, action: 'updated' }];
    return performWrite(context, { operation, inputs: args, affects }, async () => {
      const id = validate(stripeId('in'), args.id, 'id');
      const paidOutOfBand = (args as { paidOutOfBand?: boolean | null }).paidOutOfBand ?? false;
      const key = randomUUID();
      const billing = context.connectors.billing;
      const invoice =
        operation === 'finalizeInvoice'
          ? await billing.finalizeInvoice(id, key)
          : operation === 'payInvoice'
            ? await billing.payInvoice(id, { paid_out_of_band: paidOutOfBand || undefined }, key)
            : await billing.voidInvoice(id, key);
      return {
        value: invoice,
        upstream: [{ system: 'billing', ids: { invoiceId: id, idempotencyKey: key } }],
        changes: [invoiceChange(invoice, 'updated')],
      };
    });
  };
}

export const billingMutations: MutationResolvers = {
  async createCustomer(_parent, { input }, context) {
    // A customer that may now exist: the contact's and the email's links re-resolve.
    const affects = (): ChangeSpec[] => [
      {
        system: 'billing',
        entity: 'customer',
        id: '',
        action: 'created',
        related: { contactId: input.contactId ?? undefined, email: input.email ?? undefined },
      },
    ];
    return performWrite(context, { operation: 'createCustomer', inputs: input, affects }, async () => {
      const valid = validate(customerInput, input, 'input');
      const key = randomUUID();
      const customer = await context.connectors.billing.createCustomer(customerParams(valid), key);
      return {
        value: customer,
        upstream: [{ system: 'billing', ids: { customerId: customer.id, idempotencyKey: key } }],
        changes: [customerChange(customer, 'created')],
      };
    });
  },

  async updateCustomer(_parent, { id, input }, context) {
    const affects = (): ChangeSpec[] => [{ system: 'billing', entity: 'customer', id, action: 'updated' }];
    return performWrite(context, { operation: 'updateCustomer', inputs: { id, input }, affects }, async () => {
      const customerId = validate(stripeId('cus'), id, 'id');
      const valid = validate(updateCustomerInput, input, 'input');
      const key = randomUUID();
      const previous = await context.connectors.billing.retrieveCustomer(customerId);
      if (!previous) throw new GatewayError('NOT_FOUND', 'Stripe has no such customer', { service: 'billing' });
      const params = customerParams(valid);
      // Stripe removes a metadata key set to "".
      const form: FormParams = valid.contactId === '' ? { ...params, metadata: { [HUBSPOT_CONTACT_METADATA_KEY]: '' } } : params;
      const customer = await context.connectors.billing.updateCustomer(customerId, form, key);
      return {
        value: customer,
        upstream: [{ system: 'billing', ids: { customerId, idempotencyKey: key } }],
        changes: [customerChange(customer, 'updated', previous)],
      };
    });
  },

  async createInvoice(_parent, { input }, context) {
    return performWrite(context, { operation: 'createInvoice', inputs: input }, async () => {
      const valid = validate(invoiceInput, input, 'input');
      const key = randomUUID();
      const invoice = await createDraftInvoice(context, valid, key);
      return {
        value: invoice,
        upstream: [{ system: 'billing', ids: { invoiceId: invoice.id, idempotencyKey: key } }],
        changes: [invoiceChange(invoice, 'created')],
      };
    });
  },

  finalizeInvoice: invoiceAction('finalizeInvoice'),
  payInvoice: invoiceAction('payInvoice') as NonNullable<MutationResolvers['payInvoice']>,
  voidInvoice: invoiceAction('voidInvoice'),
};
