/**
 * Step building blocks shared by the cross-system writes: each wraps one connector call
 * with the notes it needs to be resumed after an unknown outcome and to be compensated.
 */
import { HUBSPOT_CONTACT_METADATA_KEY } from '../systems/billing/loaders.ts';
import type { StripeInvoice } from '../systems/billing/schemas.ts';
import type { ChatMessage } from '../systems/chat/schemas.ts';
import type { CrmContact } from '../systems/crm/schemas.ts';
import type { GatewayContext } from '../context.ts';
import { GatewayError, isGatewayError } from '../errors.ts';
import { customerChange, invoiceChange } from '../../resolvers/billing/mutations.ts';
import { messageChange, resolveChannel } from '../../resolvers/chat/mutations.ts';
import type { StepContext, StepDefinition, StepResult } from './engine.ts';

/** The billing customer linked to the contact, or a new one created with a derived Idempotency-Key. */
export function ensureCustomerStep(
  name: string,
  contactOf: (step: StepContext) => Promise<CrmContact>,
  options: { alwaysCreate?: boolean } = {},
): StepDefinition {
  return {
    name,
    system: 'billing',
    async run(step) {
      const contact = await contactOf(step);
      const { context } = step;
      if (!options.alwaysCreate && step.notes.created !== true) {
        const existing = await context.loaders.billing.customerForContact({ id: contact.id, email: contact.properties.email });
        if (existing) return { ids: { customerId: existing.id, contactId: contact.id }, notes: { created: false } };
      }
      const name = [contact.properties.firstname, contact.properties.lastname].filter(Boolean).join(' ') || undefined;
      await step.save({ created: true, contactId: contact.id });
      const customer = await context.connectors.billing.createCustomer(
        { email: contact.properties.email ?? undefined, name, metadata: { [HUBSPOT_CONTACT_METADATA_KEY]: contact.id } },
        `${step.key}:create`,
      );
      return {
        ids: { customerId: customer.id, contactId: contact.id },
        notes: { created: true, customerId: customer.id },
        changes: [customerChange(customer, 'created')],
      };
    },
    affects(step) {
      // A customer may have been created for the contact: its links re-resolve.
      const contactId = step.steps[name]?.ids.contactId ?? (step.notes.contactId as string | undefined);
      return contactId ? [{ system: 'billing', entity: 'customer', id: '', action: 'created', related: { contactId } }] : [];
    },
    async compensate(step) {
      const customerId = step.notes.customerId as string | undefined;
      if (step.notes.created !== true || !customerId) return { summary: null };
      await step.context.connectors.billing.deleteCustomer(customerId);
      return {
        summary: `Deleted billing customer ${customerId}`,
        changes: [
          {
            system: 'billing',
            entity: 'customer',
            id: customerId,
            action: 'deleted',
            related: { contactId: step.steps[name]?.ids.contactId },
          },
        ],
      };
    },
  };
}

/** Voids an open invoice or deletes a draft; a paid invoice cannot be undone here. */
export async function undoInvoice(
  context: GatewayContext,
  invoiceId: string,
): Promise<{ summary: string | null; changes?: ReturnType<typeof invoiceChange>[] }> {
  const billing = context.connectors.billing;
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

export function finalizeInvoiceStep(name: string, invoiceIdOf: (step: StepContext) => string): StepDefinition {
  return {
    name,
    system: 'billing',
    async run(step): Promise<StepResult> {
      const invoiceId = invoiceIdOf(step);
      const invoice: StripeInvoice = await step.context.connectors.billing.finalizeInvoice(invoiceId, `${step.key}:finalize`);
      return {
        ids: { invoiceId, ...(invoice.number ? { invoiceNumber: invoice.number } : {}) },
        notes: { invoiceId },
        changes: [invoiceChange(invoice, 'updated')],
      };
    },
    affects: (step) => [{ system: 'billing', entity: 'invoice', id: invoiceIdOf(step), action: 'updated' }],
    async compensate(step) {
      const invoiceId = step.notes.invoiceId as string | undefined;
      return invoiceId ? undoInvoice(step.context, invoiceId) : { summary: null };
    },
  };
}

/**
 * Posts a message. Slack takes no idempotency key, so a step resumed after an unknown
 * outcome first looks in the channel for the exact message it was sending.
 */
export function postMessageStep(name: string, compose: (step: StepContext) => Promise<{ channel: string; text: string }>): StepDefinition {
  return {
    name,
    system: 'chat',
    irreversible: 'A posted message is not retracted automatically',
    notification: true,
    affects(step) {
      const channel = step.notes.channel;
      if (typeof channel !== 'string') return [];
      return [{ system: 'chat', entity: 'message', id: `${channel}:`, action: 'created', related: { channel } }];
    },
    async run(step) {
      const { context } = step;
      const { channel: requested, text } = await compose(step);
      const channel = await resolveChannel(context, requested);
      let message: ChatMessage | undefined;
      if (step.resuming && typeof step.notes.text === 'string' && typeof step.notes.oldest === 'string') {
        const page = await context.connectors.chat.history({ channel, limit: 50, oldest: step.notes.oldest as string });
        message = page.items.find((item) => item.text === step.notes.text);
      }
      if (!message) {
        await step.save({ text, channel, oldest: (Date.now() / 1000 - 1).toFixed(6) });
        message = await context.connectors.chat.postMessage({ channel, text });
      }
      return { ids: { channel: message.channel, ts: message.ts }, changes: [messageChange(message)] };
    },
  };
}

/**
 * Checks, before anything is written, that the bot can post to `channel`: it exists, is not
 * archived, and the bot is a member (Slack answers `not_in_channel` otherwise). `field` names
 * the argument in the error.
 */
export async function checkPostable(context: GatewayContext, channel: string, field: string): Promise<void> {
  const fields = (reason: string) => ({ [field]: reason });
  const conversation = await resolveChannel(context, channel)
    .then((id) => context.connectors.chat.getConversation(id))
    .catch((error: unknown) => {
      if (isGatewayError(error) && error.code === 'NOT_FOUND') {
        throw new GatewayError('NOT_FOUND', 'Slack has no such channel', { service: 'chat', fields: fields('no such channel') });
      }
      throw error;
    });
  if (conversation.is_archived) {
    throw new GatewayError('UPSTREAM_FORBIDDEN', `The channel ${channel} is archived: the bot cannot post there`, {
      service: 'chat',
      fields: fields('archived'),
    });
  }
  if (conversation.is_member === false) {
    const message = `The bot is not a member of ${channel} and cannot post there: invite it, or name another channel`;
    throw new GatewayError('UPSTREAM_FORBIDDEN', message, {
      service: 'chat',
      fields: fields('the bot is not a member'),
    });
  }
}
