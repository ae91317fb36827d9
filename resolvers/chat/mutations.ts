/**
 * Chat mutations: GraphQL's arguments go to chat's commands (src/systems/chat/index.ts),
 * which validate, resolve a channel name through the request's channel directory, post and
 * name the change; performWrite audits the call and publishes the change.
 */
import * as chat from '../../src/systems/chat/index.ts';
import type { MutationResolvers } from '../../src/generated/chat.ts';
import { performWrite } from '../../src/workflows/write.ts';

export const chatMutations: MutationResolvers = {
  postMessage: (_parent, { input }, context) =>
    performWrite(
      context,
      { operation: 'postMessage', inputs: input },
      chat.postMessage(context.connectors.chat, context.loaders.chat.channelIdByName, input),
    ),
};
