/**
 * Step building blocks shared by the cross-system writes: each wraps one system command
 * with the notes it needs to be resumed after an unknown outcome and to be compensated.
 */
import { createContactCustomer, deleteCustomer, moveInvoice, undoInvoice } from '../systems/billing/index.ts';
import {
  checkPostable,
  findPosted,
  mayHavePosted,
  messageChange,
  postText,
  resolveChannel,
  type ChatMessage,
} from '../systems/chat/index.ts';
import type { CrmContact } from '../systems/crm/index.ts';
import type { GatewayContext } from '../context.ts';
import { HUBSPOT_CONTACT_METADATA_KEY } from '../links/contact-customer.ts';
import { remainingMs } from '../upstream/deadline.ts';
import { withContactCustomer } from './claims.ts';
import type { StepContext, StepDefinition, StepResult } from './definition.ts';

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
      const create = async (): Promise<StepResult> => {
        const name = [contact.properties.firstname, contact.properties.lastname].filter(Boolean).join(' ') || undefined;
        await step.save({ created: true, contactId: contact.id });
        const { customer, change } = await createContactCustomer(
          context.connectors.billing,
          { id: contact.id, email: contact.properties.email, name },
          `${step.key}:create`,
        );
        return {
          ids: { customerId: customer.id, contactId: contact.id },
          notes: { created: true, customerId: customer.id },
          changes: [change],
        };
      };
      if (options.alwaysCreate || step.notes.created === true) return create();
      const deadline = Date.now() + Math.min(context.writes.waitMs, remainingMs(context.signal) / 2);
      return withContactCustomer(context.writes.store, contact.id, deadline, async (known) => {
        // The customer the last run ended with, unless deleted or linked elsewhere since.
        const last = known ? await context.connectors.billing.retrieveCustomer(known) : null;
        const existing =
          (last?.metadata[HUBSPOT_CONTACT_METADATA_KEY] === contact.id ? last : null) ??
          (await context.loaders.billing.customerForContact({ id: contact.id, email: contact.properties.email }));
        if (existing)
          return { customerId: existing.id, value: { ids: { customerId: existing.id, contactId: contact.id }, notes: { created: false } } };
        const created = await create();
        return { customerId: created.ids.customerId, value: created };
      });
    },
    affects(step) {
      // A customer may have been created for the contact: its links re-resolve.
      const contactId = step.steps[name]?.ids.contactId ?? (step.notes.contactId as string | undefined);
      return contactId ? [{ system: 'billing', entity: 'customer', id: '', action: 'created', related: { contactId } }] : [];
    },
    async compensate(step) {
      const customerId = step.notes.customerId as string | undefined;
      if (step.notes.created !== true || !customerId) return { summary: null };
      const deleted = await deleteCustomer(step.context.connectors.billing, customerId, step.steps[name]?.ids.contactId);
      return { summary: `Deleted billing customer ${customerId}`, changes: [deleted] };
    },
  };
}

export function finalizeInvoiceStep(name: string, invoiceIdOf: (step: StepContext) => string): StepDefinition {
  return {
    name,
    system: 'billing',
    async run(step): Promise<StepResult> {
      const invoiceId = invoiceIdOf(step);
      const { invoice, change } = await moveInvoice(step.context.connectors.billing, 'finalize', invoiceId, `${step.key}:finalize`);
      return { ids: { invoiceId, ...(invoice.number ? { invoiceNumber: invoice.number } : {}) }, notes: { invoiceId }, changes: [change] };
    },
    affects: (step) => [{ system: 'billing', entity: 'invoice', id: invoiceIdOf(step), action: 'updated' }],
    async compensate(step) {
      const invoiceId = step.notes.invoiceId as string | undefined;
      return invoiceId ? undoInvoice(step.context.connectors.billing, invoiceId) : { summary: null };
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
      return [mayHavePosted(channel)];
    },
    async run(step) {
      const { context } = step;
      const { channel: requested, text } = await compose(step);
      const chat = context.connectors.chat;
      const channel = await resolveChannel(context.loaders.chat.channelIdByName, requested);
      let message: ChatMessage | undefined;
      if (step.resuming && typeof step.notes.text === 'string' && typeof step.notes.oldest === 'string') {
        message = await findPosted(chat, channel, step.notes.text, step.notes.oldest);
      }
      if (!message) {
        await step.save({ text, channel, oldest: (Date.now() / 1000 - 1).toFixed(6) });
        message = await postText(chat, channel, text);
      }
      return { ids: { channel: message.channel, ts: message.ts }, changes: [messageChange(message)] };
    },
  };
}

/** Refuses a run before anything is written when the bot cannot post to the channel it is to announce in. */
export function checkNotifyChannel(context: GatewayContext, channel: string): Promise<void> {
  return checkPostable(context.connectors.chat, context.loaders.chat.channelIdByName, channel, 'notify.channel');
}
