/**
 * winDeal: close the deal as won in the CRM, make sure its primary contact has a billing
 * customer, invoice it (draft, lines, finalize) and announce it in chat, mentioning the
 * deal owner's chat user.
 */
import { z } from 'zod';
import type { GatewayContext } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { createDraftInvoice, invoiceInput, lineItemInput, undoInvoice } from '../systems/billing/index.ts';
import { channelRef } from '../systems/chat/index.ts';
import { type CrmConnector, DEAL_STAGE_VALUES, readBack, revertProperties, setProperties } from '../systems/crm/index.ts';
import type { StepDefinition, WorkflowResult } from './definition.ts';
import { runWorkflow, validateWorkflow } from './engine.ts';
import { checkNotifyChannel, ensureCustomerStep, finalizeInvoiceStep, postMessageStep } from './steps.ts';

export const idempotencyKey = z.string().regex(/^[\w.:-]{8,200}$/, { error: 'must be 8–200 letters, digits or . _ : -' });

const winDealInput = z.object({
  idempotencyKey,
  dealId: z.string().regex(/^\d{1,20}$/, { error: 'must be a HubSpot deal ID (digits)' }),
  invoice: z.object({
    currency: invoiceInput.shape.currency,
    lineItems: z.array(lineItemInput).min(1).max(50).nullish(),
    description: invoiceInput.shape.description,
    daysUntilDue: invoiceInput.shape.daysUntilDue,
  }),
  notify: z.object({ channel: channelRef, text: z.string().trim().min(1).max(3000).nullish() }),
});

export type WinDealArgs = z.input<typeof winDealInput>;
type WinDealInput = z.output<typeof winDealInput>;

const CLOSED_WON = DEAL_STAGE_VALUES.CLOSED_WON;

export async function winDeal(context: GatewayContext, args: WinDealArgs): Promise<WorkflowResult> {
  const input = await validateWorkflow(context, 'winDeal', winDealInput, args);
  const crm = context.connectors.crm;
  const steps: StepDefinition[] = [
    closeDealStep(crm, input.dealId),
    ensureCustomerStep('billing.ensureCustomer', (step) =>
      readBack(crm, 'contacts', step.steps['crm.closeDeal'].notes.contactId as string),
    ),
    createInvoiceStep(input),
    finalizeInvoiceStep('billing.finalizeInvoice', (step) => step.steps['billing.createInvoice'].ids.invoiceId),
    postMessageStep('chat.announce', async (step) => {
      const deal = step.steps['crm.closeDeal'].notes;
      const invoiceNumber = step.steps['billing.finalizeInvoice'].ids.invoiceNumber;
      const mention = await ownerMention(step.context, deal.ownerId as string | null | undefined);
      const base =
        input.notify.text ??
        `Deal *${String(deal.dealName ?? input.dealId)}* is won${invoiceNumber ? ` — invoice ${invoiceNumber} is out` : ''}.`;
      return { channel: input.notify.channel, text: mention ? `${base} ${mention}` : base };
    }),
  ];
  const precheck = () => checkWinnable(context, input);
  const subject = `deal:${input.dealId}`;
  return runWorkflow(context, { operation: 'winDeal', idempotencyKey: input.idempotencyKey, inputs: input, steps, subject, precheck });
}

/** Moves the deal to closed-won, noting first what the later steps (and an undo) need to know of it. */
function closeDealStep(crm: CrmConnector, dealId: string): StepDefinition {
  return {
    name: 'crm.closeDeal',
    system: 'crm',
    async run(step) {
      const deal = await readBack(crm, 'deals', dealId);
      if (step.notes.previousStage === undefined) {
        // The precheck saw it open; it may have been won in HubSpot since.
        if (deal.properties.dealstage === CLOSED_WON) throw alreadyWon(deal.id);
        const contactId = await billedContact(crm, deal.id);
        await step.save({
          previousStage: deal.properties.dealstage,
          contactId,
          dealName: deal.properties.dealname,
          amount: deal.properties.amount,
          ownerId: deal.properties.hubspot_owner_id,
        });
      }
      const { change } = await setProperties(crm, 'deals', deal.id, { dealstage: CLOSED_WON });
      return { ids: { dealId: deal.id }, changes: [change] };
    },
    affects: () => [{ system: 'crm', entity: 'deal', id: dealId, action: 'updated' }],
    async compensate(step) {
      const previous = step.notes.previousStage as string | null | undefined;
      if (!previous || previous === CLOSED_WON) return { summary: null };
      const change = await revertProperties(step.context.connectors.crm, 'deals', dealId, { dealstage: previous });
      return { summary: `Moved deal ${dealId} back to stage ${previous}`, changes: [change] };
    },
  };
}

/** A draft invoice for the deal's customer: the lines given, else one line for the deal's amount. */
function createInvoiceStep(input: WinDealInput): StepDefinition {
  return {
    name: 'billing.createInvoice',
    system: 'billing',
    async run(step) {
      const customerId = step.steps['billing.ensureCustomer'].ids.customerId;
      const deal = step.steps['crm.closeDeal'].notes;
      const amount = Math.round(Number(deal.amount ?? 0) * 100);
      const lineItems =
        input.invoice.lineItems ??
        (amount > 0 ? [{ description: String(deal.dealName ?? `Deal ${input.dealId}`), unitAmount: amount, quantity: 1 }] : []);
      if (lineItems.length === 0) {
        throw new GatewayError('BAD_USER_INPUT', 'The deal has no amount: give invoice.lineItems', {
          fields: { 'invoice.lineItems': 'required when the deal has no amount' },
        });
      }
      const { currency, description, daysUntilDue } = input.invoice;
      const { invoice, change } = await createDraftInvoice(
        step.context.connectors.billing,
        { customerId, currency, lineItems, description, daysUntilDue },
        step.key,
        (invoiceId) => step.save({ invoiceId }),
      );
      return { ids: { invoiceId: invoice.id }, notes: { invoiceId: invoice.id }, changes: [change] };
    },
    affects(step) {
      const customerId = step.steps['billing.ensureCustomer'].ids.customerId;
      const invoiceId = step.notes.invoiceId as string | undefined;
      const entity = invoiceId ? 'invoice' : 'customer';
      return [{ system: 'billing', entity, id: invoiceId ?? customerId, action: 'updated', related: { customerId } }];
    },
    async compensate(step) {
      const invoiceId = step.notes.invoiceId as string | undefined;
      return invoiceId ? undoInvoice(step.context.connectors.billing, invoiceId) : { summary: null };
    },
  };
}

/** Refused before anything is written: a deal nobody can be billed for. */
async function billedContact(crm: CrmConnector, dealId: string): Promise<string> {
  const links = await crm.batchReadAssociations('deals', 'contacts', [dealId]);
  const contacts = links.get(dealId);
  const contactId = contacts?.primaryId ?? contacts?.ids[0];
  if (!contactId) {
    const fields = { dealId: 'has no associated contact' };
    throw new GatewayError('BAD_USER_INPUT', 'The deal has no associated contact to bill', { service: 'crm', fields });
  }
  return contactId;
}

/** Everything checkable before the first write: the deal exists, is open and has a contact to bill; the channel takes posts. */
async function checkWinnable(context: GatewayContext, input: WinDealInput): Promise<void> {
  const crm = context.connectors.crm;
  const [deal] = await crm.batchReadObjects('deals', [input.dealId]);
  if (!deal) throw new GatewayError('NOT_FOUND', 'No CRM deal has this ID', { service: 'crm', fields: { dealId: 'no such deal' } });
  // Idempotent by subject as well as by key: a won deal was billed when it was won.
  if (deal.properties.dealstage === CLOSED_WON) throw alreadyWon(deal.id);
  const contactId = await billedContact(crm, deal.id);
  // The customer is found (or made) for this contact: it must exist and have an address to bill.
  const [contact] = await crm.batchReadObjects('contacts', [contactId]);
  if (!contact) {
    const fields = { dealId: 'its contact is gone' };
    throw new GatewayError('BAD_USER_INPUT', `The deal's contact ${contactId} no longer exists`, { service: 'crm', fields });
  }
  await checkNotifyChannel(context, input.notify.channel);
}

function alreadyWon(dealId: string): GatewayError {
  return new GatewayError('DEAL_ALREADY_WON', `Deal ${dealId} is already won; it is not won (or billed) again`, {
    service: 'crm',
    fields: { dealId: 'already closed-won' },
  });
}

/** `<@U…>` for the owner's chat user, else the owner's name, else nothing. */
async function ownerMention(context: GatewayContext, ownerId: string | null | undefined): Promise<string | null> {
  if (!ownerId) return null;
  const owner = await context.loaders.crm.owners.load(ownerId);
  if (!owner) return null;
  const userId = owner.email ? await context.loaders.chat.userIdForOwnerEmail.load(owner.email) : null;
  if (userId) return `<@${userId}>`;
  const name = [owner.firstName, owner.lastName].filter(Boolean).join(' ');
  return name ? `(owner: ${name})` : null;
}
