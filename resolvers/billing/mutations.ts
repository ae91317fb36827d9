/**
 * Billing mutations: GraphQL's arguments go to billing's commands
 * (src/systems/billing/index.ts), which validate, write with Idempotency-Keys and name the
 * change; performWrite audits the call and publishes the change.
 */
import type { GatewayContext } from '../../src/context.ts';
import type { MutationResolvers } from '../../src/generated/billing.ts';
import * as billing from '../../src/systems/billing/index.ts';
import { performWrite } from '../../src/workflows/write.ts';

/** finalizeInvoice, payInvoice, voidInvoice: audited with their arguments as given. */
const moveInvoice =
  (transition: billing.InvoiceTransition, operation: string) =>
  (_parent: unknown, args: { id: string; paidOutOfBand?: boolean | null }, context: GatewayContext) =>
    performWrite(context, { operation, inputs: args }, billing.changeInvoice(context.connectors.billing, transition, args));

export const billingMutations: MutationResolvers = {
  createCustomer: (_parent, { input }, context) =>
    performWrite(context, { operation: 'createCustomer', inputs: input }, billing.createCustomer(context.connectors.billing, input)),
  updateCustomer: (_parent, { id, input }, context) =>
    performWrite(
      context,
      { operation: 'updateCustomer', inputs: { id, input } },
      billing.updateCustomer(context.connectors.billing, id, input),
    ),
  createInvoice: (_parent, { input }, context) =>
    performWrite(context, { operation: 'createInvoice', inputs: input }, billing.createInvoice(context.connectors.billing, input)),
  finalizeInvoice: moveInvoice('finalize', 'finalizeInvoice'),
  payInvoice: moveInvoice('pay', 'payInvoice'),
  voidInvoice: moveInvoice('void', 'voidInvoice'),
};
