/**
 * What a cross-system run's steps left in the vendors, read back from the step records the
 * gateway stored and from the Stripe objects created under the run's key. Shared by the
 * workflow (2) and idempotency (3) checks.
 */
import type { StepRecord } from '../../src/workflows/definition.ts';
import type { Json, Records, StripeEvent } from './records.ts';

export const CLOSED_WON = 'closedwon';

/** The Stripe Idempotency-Keys of a run's step start with this (`sb:<key>:<step>:<request>`). */
export const stepKeyPrefix = (key: string, step?: string) => (step ? `sb:${key}:${step}:` : `sb:${key}:`);

/** The step a Stripe request was sent for, from its Idempotency-Key. */
export function stepOfKey(key: string, idempotencyKey: string): string | undefined {
  const prefix = stepKeyPrefix(key);
  if (!idempotencyKey.startsWith(prefix)) return undefined;
  return idempotencyKey.slice(prefix.length).split(':')[0];
}

const ENDED_SUBSCRIPTION = new Set(['canceled', 'incomplete_expired']);

/** A Stripe object a `*.created` event announced, as it now stands: what is left of it, or null when nothing is. */
export async function leftOf(records: Records, event: StripeEvent): Promise<string | null> {
  const id = String(event.object.id);
  if (event.type === 'customer.created') {
    const customer = await records.billing.current('customers', id);
    return customer && !customer.deleted ? `customer ${id}` : null;
  }
  if (event.type === 'invoice.created') {
    const invoice = await records.billing.current('invoices', id);
    return invoice && invoice.status !== 'void' ? `invoice ${id} (${String(invoice.status)})` : null;
  }
  const subscription = await records.billing.current('subscriptions', id);
  return subscription && !ENDED_SUBSCRIPTION.has(String(subscription.status))
    ? `subscription ${id} (${String(subscription.status)})`
    : null;
}

/**
 * Whether a step that reports it succeeded has its effect in the vendors; the problem when
 * not. `won` says whether the deal is still held won by this run.
 */
export async function effectMissing(records: Records, step: StepRecord, subject: string): Promise<string | null> {
  const { crm, billing, chat } = records;
  const { ids } = step;
  switch (step.name) {
    case 'crm.closeDeal': {
      const stage = crm.deal(ids.dealId)?.properties.dealstage;
      return stage === CLOSED_WON ? null : `deal ${ids.dealId} is ${stage ?? 'missing'}, not closedwon`;
    }
    case 'crm.createContact': {
      const contact = crm.contact(ids.contactId);
      if (!contact || contact.archived) return `contact ${ids.contactId} is ${contact ? 'archived' : 'missing'}`;
      return contact.properties.email?.toLowerCase() === subject.toLowerCase()
        ? null
        : `contact ${ids.contactId} has email ${contact.properties.email}`;
    }
    case 'billing.ensureCustomer':
    case 'billing.createCustomer': {
      const customer = await billing.current('customers', ids.customerId);
      if (!customer || customer.deleted) return `customer ${ids.customerId} is ${customer ? 'deleted' : 'missing'}`;
      // Linked by metadata, or (a customer made outside the gateway) by the contact's email alone.
      const linked = (customer.metadata as Json | undefined)?.hubspot_contact_id;
      const email = crm.contact(ids.contactId)?.properties.email?.toLowerCase();
      if (linked === ids.contactId || (linked === undefined && email !== undefined && String(customer.email).toLowerCase() === email))
        return null;
      return `customer ${ids.customerId} is linked to contact ${String(linked ?? `by email ${String(customer.email)}`)}, not ${ids.contactId}`;
    }
    case 'billing.createInvoice':
    case 'billing.finalizeInvoice': {
      const invoice = await billing.current('invoices', ids.invoiceId);
      const want = step.name === 'billing.createInvoice' ? ['draft', 'open', 'paid'] : ['open', 'paid'];
      if (!invoice || !want.includes(String(invoice.status)))
        return `invoice ${ids.invoiceId} is ${invoice ? String(invoice.status) : 'missing'}`;
      if (ids.invoiceNumber && invoice.number !== ids.invoiceNumber)
        return `invoice ${ids.invoiceId} is number ${String(invoice.number)}, not ${ids.invoiceNumber}`;
      return null;
    }
    case 'billing.createSubscription': {
      const subscription = await billing.current('subscriptions', ids.subscriptionId);
      if (!subscription || ENDED_SUBSCRIPTION.has(String(subscription.status)))
        return `subscription ${ids.subscriptionId} is ${subscription ? String(subscription.status) : 'missing'}`;
      return null;
    }
    case 'chat.announce':
    case 'chat.welcome': {
      const message = chat.message(ids.channel, ids.ts);
      return message ? null : `no message ${ids.ts} in channel ${ids.channel}`;
    }
  }
  return `unknown step ${step.name}`;
}
