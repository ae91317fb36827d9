/**
 * The CRM subschema: HubSpot contacts, companies, deals and owners, plus the CRM side of
 * the cross-system links (Customer.contact, ChatUser.owner). The lead's stitching layer
 * merges it with billing and chat through the `merge` config below; `_`-prefixed root
 * fields are its entry points, each taking a list of keys and answering in key order.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import type { ChatUserKeyInput, CustomerKeyInput } from '../../src/generated/crm.ts';
import { crmMutations } from './mutations.ts';
import { crmResolvers } from './resolvers.ts';
import { fromRoot } from '../../src/paths.ts';

export { crmResolvers } from './resolvers.ts';
export type { ChatUserParent, CustomerParent } from './parents.ts';

/** schemas/crm.graphql, found from the repository root so it works from any working directory and from dist/. */
export const CRM_SDL_PATH = fileURLToPath(fromRoot('schemas/crm.graphql'));

/** The executable CRM schema on its own (tests run operations against it directly). */
export function createCrmSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: readFileSync(CRM_SDL_PATH, 'utf8'), resolvers: [crmResolvers, { Mutation: crmMutations }] });
}

const byId = (fieldName: string) => ({
  selectionSet: '{ id }',
  fieldName,
  key: ({ id }: { id: string }) => id,
  argsFromKeys: (ids: readonly string[]) => ({ ids }),
});

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
      ChatUser: {
        selectionSet: '{ id email }',
        fieldName: '_crmChatUsers',
        key: ({ id, email }: { id: string; email?: string | null }): ChatUserKeyInput => ({ id, email: email ?? null }),
        argsFromKeys: (keys: readonly ChatUserKeyInput[]) => ({ keys }),
      },
    },
  };
}
