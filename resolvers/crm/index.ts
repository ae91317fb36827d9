/**
 * The CRM subschema: HubSpot contacts, companies, deals and owners, plus the CRM side of
 * the cross-system links (Customer.contact, ChatUser.owner). The lead's stitching layer
 * merges it with billing and chat through the `merge` config below; `_`-prefixed root
 * fields are its entry points, each taking a list of keys and answering in key order.
 */
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import type { CustomerKeyInput } from '../../src/generated/crm.ts';
import { crmMutations } from './mutations.ts';
import { crmResolvers } from './resolvers.ts';
import { byId, byIdAndEmail } from '../merge-keys.ts';
import { subschemaTypeDefs } from '../sdl.ts';

export { crmResolvers } from './resolvers.ts';
export type { ChatUserParent, CustomerParent } from './parents.ts';

/** The executable CRM schema on its own (tests run operations against it directly). */
export function createCrmSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: subschemaTypeDefs('crm'), resolvers: [crmResolvers, { Mutation: crmMutations }] });
}

export function createCrmSubschema(): SubschemaConfig {
  return {
    schema: createCrmSchema(),
    batch: true,
    merge: {
      // Owned types: stitching batches every reference at one level into one call, which
      // the loaders turn into one HubSpot batch read per 100 ids.
      Contact: byId('_contactsByIds'),
      Company: byId('_companiesByIds'),
      Deal: byId('_dealsByIds'),
      Owner: byId('_ownersByIds'),
      // Extended billing type: the contact id in Stripe metadata, else the email, links a
      // customer to its contact. Billing must expose `hubspotContactId` on Customer.
      Customer: {
        selectionSet: '{ id email hubspotContactId }',
        fieldName: '_crmCustomers',
        key: ({
          id,
          email,
          hubspotContactId,
        }: {
          id: string;
          email?: string | null;
          hubspotContactId?: string | null;
        }): CustomerKeyInput => ({
          id,
          email: email ?? null,
          hubspotContactId: hubspotContactId ?? null,
        }),
        argsFromKeys: (keys: readonly CustomerKeyInput[]) => ({ keys }),
      },
      // Extended chat type: the user's email is the link key to the owners directory.
      ChatUser: byIdAndEmail('_crmChatUsers'),
    },
  };
}
