/**
 * graphql-codegen settings for the chat subschema: resolver types for schemas/chat.graphql,
 * with Slack records as the parents of the types they back, written to src/generated/chat.ts.
 */
import { subschemaCodegen } from '../codegen.config.ts';

export const chatCodegen = subschemaCodegen('chat', {
  ChatUser: '../systems/chat/index.ts#SlackUser',
  Channel: '../systems/chat/index.ts#SlackConversation',
  Message: '../systems/chat/index.ts#ChatMessage',
  Owner: '../../resolvers/chat/parents.ts#OwnerParent',
});
