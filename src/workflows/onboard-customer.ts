/**
 * onboardCustomer: create the CRM contact, its billing customer (linked by
 * `metadata.hubspot_contact_id`) and subscription, and post a welcome message.
 */
import { z } from 'zod';
import type { GatewayContext } from '../context.ts';
import { GatewayError, isGatewayError } from '../errors.ts';
import { cancelSubscription, createSubscription, stripeId } from '../systems/billing/index.ts';
import { channelRef } from '../systems/chat/index.ts';
import { type CrmConnector, archiveRecord, insertRecord, readBack } from '../systems/crm/index.ts';
import type { StepDefinition, WorkflowResult } from './definition.ts';
import { runWorkflow, validateWorkflow } from './engine.ts';
import { checkNotifyChannel, ensureCustomerStep, postMessageStep } from './steps.ts';
import { idempotencyKey } from './win-deal.ts';

const name = z.string().trim().min(1, { error: 'must not be empty' }).max(100);

const onboardInput = z.object({
  idempotencyKey,
  contact: z.object({
    email: z.email({ error: 'must be an email address' }).max(254),
    firstName: name.nullish(),
    lastName: name.nullish(),
    jobTitle: z.string().trim().max(200).nullish(),
  }),
  plan: z.object({
    priceId: stripeId('price'),
    quantity: z.number().int().min(1, { error: 'must be 1 or more' }).max(10_000).nullish(),
    trialDays: z.number().int().min(1).max(730).nullish(),
  }),
  notify: z.object({ channel: channelRef, text: z.string().trim().min(1).max(3000).nullish() }),
});

export type OnboardCustomerArgs = z.input<typeof onboardInput>;
type OnboardInput = z.output<typeof onboardInput>;

export async function onboardCustomer(context: GatewayContext, args: OnboardCustomerArgs): Promise<WorkflowResult> {
  const input = await validateWorkflow(context, 'onboardCustomer', onboardInput, args);
  const crm = context.connectors.crm;
  const email = input.contact.email.trim();
  const steps: StepDefinition[] = [
    createContactStep(crm, input.contact, email),
    ensureCustomerStep('billing.createCustomer', (step) => readBack(crm, 'contacts', step.steps['crm.createContact'].ids.contactId), {
      alwaysCreate: true,
    }),
    createSubscriptionStep(input.plan),
    postMessageStep('chat.welcome', async () => {
      const who = [input.contact.firstName, input.contact.lastName].filter(Boolean).join(' ') || email;
      return { channel: input.notify.channel, text: input.notify.text ?? `Welcome aboard, ${who}! :wave:` };
    }),
  ];
  const precheck = () => checkOnboardable(context, input);
  // Runs onboarding one email take it as their subject: with another key, a second run waits for the first and is then
  // refused (the contact exists), instead of both creating, and one resuming into the other's contact and billing it again.
  const subject = `email:${email.toLowerCase()}`;
  return runWorkflow(context, {
    operation: 'onboardCustomer',
    idempotencyKey: input.idempotencyKey,
    inputs: input,
    steps,
    subject,
    precheck,
  });
}

/** A new CRM contact, as a customer; an email that is already a contact is refused. */
function createContactStep(crm: CrmConnector, contact: OnboardInput['contact'], email: string): StepDefinition {
  return {
    name: 'crm.createContact',
    system: 'crm',
    async run(step) {
      // HubSpot takes no idempotency key: a resumed step first looks for the contact it may have created.
      const [existing] = await crm.batchReadObjects('contacts', [email], { idProperty: 'email' });
      if (existing) {
        if (!step.resuming && step.notes.created !== true) {
          throw new GatewayError('UPSTREAM_CONFLICT', 'A CRM contact with this email already exists', {
            service: 'crm',
            fields: { 'contact.email': 'already a contact' },
          });
        }
        return { ids: { contactId: existing.id }, notes: { created: true, contactId: existing.id } };
      }
      await step.save({ created: true });
      const properties: Record<string, string> = { email, lifecyclestage: 'customer' };
      if (contact.firstName) properties.firstname = contact.firstName;
      if (contact.lastName) properties.lastname = contact.lastName;
      if (contact.jobTitle) properties.jobtitle = contact.jobTitle;
      // Noted the moment HubSpot names it: a read-back that then fails still leaves the undo an id to archive.
      const { record, change } = await insertRecord(crm, 'contacts', properties, {}, (id) => Object.assign(step.notes, { contactId: id }));
      return { ids: { contactId: record.id }, notes: { contactId: record.id }, changes: [change] };
    },
    // A contact may have been created under the email: its lookup and the contact lists.
    affects: () => [{ system: 'crm', entity: 'contact', id: '', action: 'created', related: { email } }],
    async compensate(step) {
      const contactId = step.notes.contactId as string | undefined;
      if (!contactId) return { summary: null };
      const change = await archiveRecord(step.context.connectors.crm, 'contacts', contactId, { email });
      return { summary: `Archived contact ${contactId}`, changes: [change] };
    },
  };
}

function createSubscriptionStep(plan: OnboardInput['plan']): StepDefinition {
  return {
    name: 'billing.createSubscription',
    system: 'billing',
    async run(step) {
      const customerId = step.steps['billing.createCustomer'].ids.customerId;
      const billing = step.context.connectors.billing;
      const { subscription, change } = await createSubscription(billing, { customerId, ...plan }, `${step.key}:create`);
      return { ids: { subscriptionId: subscription.id }, notes: { subscriptionId: subscription.id }, changes: [change] };
    },
    affects: (step) => {
      const customerId = step.steps['billing.createCustomer'].ids.customerId;
      return [{ system: 'billing', entity: 'subscription', id: '', action: 'created', related: { customerId } }];
    },
    async compensate(step) {
      const subscriptionId = step.notes.subscriptionId as string | undefined;
      if (!subscriptionId) return { summary: null };
      const change = await cancelSubscription(step.context.connectors.billing, subscriptionId);
      return { summary: `Canceled subscription ${subscriptionId}`, changes: [change] };
    },
  };
}

/** Before the contact and the customer exist: an unknown plan would only be found at the subscription. */
async function checkOnboardable(context: GatewayContext, input: OnboardInput): Promise<void> {
  const price = await context.connectors.billing.retrievePrice(input.plan.priceId).catch((error: unknown) => {
    if (isGatewayError(error) && error.code === 'NOT_FOUND') {
      throw new GatewayError('NOT_FOUND', error.message, { service: 'billing', fields: { 'plan.priceId': 'no such price' } });
    }
    throw error;
  });
  if (!price.recurring) {
    throw new GatewayError('BAD_USER_INPUT', `Price ${price.id} is one-time: a plan needs a recurring price`, {
      service: 'billing',
      fields: { 'plan.priceId': 'not a recurring price' },
    });
  }
  await checkNotifyChannel(context, input.notify.channel);
}
