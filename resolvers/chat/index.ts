/**
 * The chat subschema: Slack's users, channels and messages, plus the chat side of the
 * cross-system links (Owner.chatUser). The lead's stitching layer merges it with CRM and
 * billing through the `merge` config below; `_`-prefixed root fields are its entry points.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { OwnerKeyInput } from '../../src/generated/chat.ts';
import { chatMutations } from './mutations.ts';
import { chatResolvers } from './resolvers.ts';
import { fromRoot } from '../../src/paths.ts';

export { chatResolvers, messageSubtype } from './resolvers.ts';
export type { OwnerParent } from './parents.ts';

/** schemas/chat.graphql, found from the repository root so it works from any working directory and from dist/. */
export const CHAT_SDL_PATH = fileURLToPath(fromRoot('schemas/chat.graphql'));

export function createChatSubschema(): SubschemaConfig {
  const typeDefs = readFileSync(CHAT_SDL_PATH, 'utf8');
  return {
    schema: makeExecutableSchema({ typeDefs, resolvers: [chatResolvers, { Mutation: chatMutations }] }),
    batch: true,
    merge: {
      // Owned types: stitching batches every ChatUser/Channel reference at one level into one call.
      ChatUser: {
        selectionSet: '{ id }',
        fieldName: '_chatUsersByIds',
        key: ({ id }: { id: string }) => id,
        argsFromKeys: (ids: readonly string[]) => ({ ids }),
      },
      Channel: {
        selectionSet: '{ id }',
        fieldName: '_channelsByIds',
        key: ({ id }: { id: string }) => id,
        argsFromKeys: (ids: readonly string[]) => ({ ids }),
      },
      // Extended CRM type: the owner's email is the link key to Slack's directory.
      Owner: {
        selectionSet: '{ id email }',
        fieldName: '_chatOwners',
        key: ({ id, email }: { id: string; email?: string | null }): OwnerKeyInput => ({ id, email: email ?? null }),
        argsFromKeys: (keys: readonly OwnerKeyInput[]) => ({ keys }),
      },
    },
  };
}
