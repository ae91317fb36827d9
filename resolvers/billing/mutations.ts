/**
 * Billing mutations: GraphQL's arguments go to billing's commands
 * (src/systems/billing/commands.ts), which validate, write with Idempotency-Keys and name the
 * change; performWrite audits the call and publishes the change.
 */
import * as billing from '../../src/systems/billing/commands.ts';
import type { MutationResolvers } from '../../src/generated/billing.ts';
import { performWrite } from '../../src/workflows/write.ts';

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
  finalizeInvoice: (_parent, args, context) =>
    performWrite(
      context,
      { operation: 'finalizeInvoice', inputs: args },
      billing.changeInvoice(context.connectors.billing, 'finalize', args),
    ),
  payInvoice: (_parent, args, context) =>
    performWrite(context, { operation: 'payInvoice', inputs: args }, billing.changeInvoice(context.connectors.billing, 'pay', args)),
  voidInvoice: (_parent, args, context) =>
    performWrite(context, { operation: 'voidInvoice', inputs: args }, billing.changeInvoice(context.connectors.billing, 'void', args)),
};
