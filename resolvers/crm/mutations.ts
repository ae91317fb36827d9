/**
 * CRM mutations: GraphQL's arguments go to the CRM's commands (src/systems/crm/index.ts),
 * which validate, write and name the change; performWrite audits the call and publishes the
 * change. The records they answer are mapped by the CRM type resolvers like any read.
 */
import type { GatewayContext } from '../../src/context.ts';
import type { MutationResolvers } from '../../src/generated/crm.ts';
import * as crm from '../../src/systems/crm/index.ts';
import type { CrmObjectType } from '../../src/systems/crm/index.ts';
import { performWrite } from '../../src/workflows/write.ts';

const create =
  <T extends CrmObjectType>(type: T, operation: string) =>
  (_parent: unknown, { input }: { input: unknown }, context: GatewayContext) =>
    performWrite(context, { operation, inputs: input }, crm.createRecord(context.connectors.crm, type, input));

const update =
  <T extends CrmObjectType>(type: T, operation: string) =>
  (_parent: unknown, { id, input }: { id: string; input: unknown }, context: GatewayContext) =>
    performWrite(context, { operation, inputs: { id, input } }, crm.updateRecord(context.connectors.crm, type, id, input));

const link =
  (associated: boolean) =>
  (_parent: unknown, { input }: { input: unknown }, context: GatewayContext) =>
    performWrite(
      context,
      { operation: associated ? 'associate' : 'disassociate', inputs: input },
      crm.setAssociation(context.connectors.crm, input, associated),
    );

export const crmMutations: MutationResolvers = {
  createContact: create('contacts', 'createContact'),
  updateContact: update('contacts', 'updateContact'),
  archiveContact: (_parent, { id }, context) =>
    performWrite(context, { operation: 'archiveContact', inputs: { id } }, crm.archiveContact(context.connectors.crm, id)),
  createCompany: create('companies', 'createCompany'),
  updateCompany: update('companies', 'updateCompany'),
  createDeal: create('deals', 'createDeal'),
  updateDeal: update('deals', 'updateDeal'),
  associate: link(true),
  disassociate: link(false),
};
