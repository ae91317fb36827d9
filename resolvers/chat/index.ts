/**
 * The chat subschema: Slack's users, channels and messages, plus the chat side of the
 * cross-system links (Owner.chatUser). The lead's stitching layer merges it with CRM and
 * billing through the `merge` config below; `_`-prefixed root fields are its entry points.
 */
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { chatMutations } from './mutations.ts';
import { chatResolvers } from './resolvers.ts';
import { byId, byIdAndEmail } from '../merge-keys.ts';
import { subschemaTypeDefs } from '../sdl.ts';

export { chatResolvers, messageSubtype } from './resolvers.ts';
export type { OwnerParent } from './parents.ts';

export function createChatSubschema(): SubschemaConfig {
  const typeDefs = subschemaTypeDefs('chat');
  return {
    schema: makeExecutableSchema({ typeDefs, resolvers: [chatResolvers, { Mutation: chatMutations }] }),
    batch: true,
    merge: {
      // Owned types: stitching batches every ChatUser/Channel reference at one level into one call.
      ChatUser: byId('_chatUsersByIds'),
      Channel: byId('_channelsByIds'),
      // Extended CRM type: the owner's email is the link key to Slack's directory.
      Owner: byIdAndEmail('_chatOwners'),
    },
  };
}
