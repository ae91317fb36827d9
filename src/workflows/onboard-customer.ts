/**
 * onboardCustomer: create the CRM contact, its billing customer (linked by
 * `metadata.hubspot_contact_id`) and subscription, and post a welcome message.
 */
import { z } from 'zod';
import { readBack } from '../../resolvers/crm/mutations.ts';
import { channelRef } from '../../resolvers/chat/mutations.ts';
import { stripeId } from '../../resolvers/billing/mutations.ts';
import type { GatewayContext } from '../context.ts';
import { GatewayError, isGatewayError } from '../errors.ts';
import { runWorkflow, validateWorkflow, type StepDefinition, type WorkflowResult } from './engine.ts';
import { checkPostable, ensureCustomerStep, postMessageStep } from './steps.ts';
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

export async function onboardCustomer(context: GatewayContext, args: OnboardCustomerArgs): Promise<WorkflowResult> {
  const input = await validateWorkflow(context, 'onboardCustomer', onboardInput, args);
  const crm = context.connectors.crm;
  const email = input.contact.email.trim();

  const steps: StepDefinition[] = [
    {
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
        if (input.contact.firstName) properties.firstname = input.contact.firstName;
        if (input.contact.lastName) properties.lastname = input.contact.lastName;
        if (input.contact.jobTitle) properties.jobtitle = input.contact.jobTitle;
        const id = await crm.createObject('contacts', properties);
        const record = await readBack(crm, 'contacts', id);
        return {
          ids: { contactId: id },
          notes: { contactId: id },
          changes: [{ system: 'crm', entity: 'contact', id, action: 'created', record }],
        };
      },
      // A contact may have been created under the email: its lookup and the contact lists.
      affects: () => [{ system: 'crm', entity: 'contact', id: '', action: 'created', related: { email } }],
      async compensate(step) {
        const contactId = step.notes.contactId as string | undefined;
        if (!contactId) return { summary: null };
        await crm.archiveObject('contacts', contactId);
        return {
          summary: `Archived contact ${contactId}`,
          changes: [{ system: 'crm', entity: 'contact', id: contactId, action: 'deleted', related: { email } }],
        };
      },
    },
    ensureCustomerStep('billing.createCustomer', (step) => readBack(crm, 'contacts', step.steps['crm.createContact'].ids.contactId), {
      alwaysCreate: true,
    }),
    {
      name: 'billing.createSubscription',
      system: 'billing',
      async run(step) {
        const customerId = step.steps['billing.createCustomer'].ids.customerId;
        const subscription = await step.context.connectors.billing.createSubscription(
          {
            customer: customerId,
            items: [{ price: input.plan.priceId, quantity: input.plan.quantity ?? 1 }],
            // Invoiced, not charged: a new customer has no payment method yet.
            collection_method: 'send_invoice',
            days_until_due: 30,
            trial_period_days: input.plan.trialDays ?? undefined,
          },
          `${step.key}:create`,
        );
        return {
          ids: { subscriptionId: subscription.id },
          notes: { subscriptionId: subscription.id },
          changes: [{ system: 'billing', entity: 'subscription', id: subscription.id, action: 'created', related: { customerId } }],
        };
      },
      affects: (step) => {
        const customerId = step.steps['billing.createCustomer'].ids.customerId;
        return [{ system: 'billing', entity: 'subscription', id: '', action: 'created', related: { customerId } }];
      },
      async compensate(step) {
        const subscriptionId = step.notes.subscriptionId as string | undefined;
        if (!subscriptionId) return { summary: null };
        const canceled = await step.context.connectors.billing.cancelSubscription(subscriptionId);
        return {
          summary: `Canceled subscription ${subscriptionId}`,
          changes: [
            {
              system: 'billing',
              entity: 'subscription',
              id: subscriptionId,
              action: 'updated',
              related: { customerId: canceled.customer },
            },
          ],
        };
      },
    },
    postMessageStep('chat.welcome', async () => {
      const who = [input.contact.firstName, input.contact.lastName].filter(Boolean).join(' ') || email;
      return { channel: input.notify.channel, text: input.notify.text ?? `Welcome aboard, ${who}! :wave:` };
    }),
  ];

  async function precheck(): Promise<void> {
    // Before the contact and the customer exist: an unknown plan would only be found at the subscription.
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
    await checkPostable(context, input.notify.channel, 'notify.channel');
  }

  return runWorkflow(context, { operation: 'onboardCustomer', idempotencyKey: input.idempotencyKey, inputs: input, steps, precheck });
}
