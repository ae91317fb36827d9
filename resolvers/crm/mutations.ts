/**
 * CRM mutations: GraphQL's arguments go to the CRM's commands (src/systems/crm/commands.ts),
 * which validate, write and name the change; performWrite audits the call and publishes the
 * change. The records they answer are mapped by the CRM type resolvers like any read.
 */
import * as crm from '../../src/systems/crm/commands.ts';
import type { MutationResolvers } from '../../src/generated/crm.ts';
import { performWrite } from '../../src/workflows/write.ts';

export const crmMutations: MutationResolvers = {
  createContact: (_parent, { input }, context) =>
    performWrite(context, { operation: 'createContact', inputs: input }, crm.createRecord(context.connectors.crm, 'contacts', input)),
  updateContact: (_parent, { id, input }, context) =>
    performWrite(
      context,
      { operation: 'updateContact', inputs: { id, input } },
      crm.updateRecord(context.connectors.crm, 'contacts', id, input),
    ),
  archiveContact: (_parent, { id }, context) =>
    performWrite(context, { operation: 'archiveContact', inputs: { id } }, crm.archiveContact(context.connectors.crm, id)),
  createCompany: (_parent, { input }, context) =>
    performWrite(context, { operation: 'createCompany', inputs: input }, crm.createRecord(context.connectors.crm, 'companies', input)),
  updateCompany: (_parent, { id, input }, context) =>
    performWrite(
      context,
      { operation: 'updateCompany', inputs: { id, input } },
      crm.updateRecord(context.connectors.crm, 'companies', id, input),
    ),
  createDeal: (_parent, { input }, context) =>
    performWrite(context, { operation: 'createDeal', inputs: input }, crm.createRecord(context.connectors.crm, 'deals', input)),
  updateDeal: (_parent, { id, input }, context) =>
    performWrite(context, { operation: 'updateDeal', inputs: { id, input } }, crm.updateRecord(context.connectors.crm, 'deals', id, input)),
  associate: (_parent, { input }, context) =>
    performWrite(context, { operation: 'associate', inputs: input }, crm.setAssociation(context.connectors.crm, input, true)),
  disassociate: (_parent, { input }, context) =>
    performWrite(context, { operation: 'disassociate', inputs: input }, crm.setAssociation(context.connectors.crm, input, false)),
};
