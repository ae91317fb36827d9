/**
 * graphql-codegen settings for the chat subschema: resolver types for schemas/chat.graphql,
 * with Slack records as the parents of the types they back, written to src/generated/chat.ts.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

type GeneratesEntry = Exclude<CodegenConfig['generates'][string], unknown[]>;

export const chatCodegen: GeneratesEntry = {
  schema: 'schemas/chat.graphql',
  plugins: ['typescript', 'typescript-resolvers'],
  config: {
    // Paths are relative to the generated file, src/generated/chat.ts.
    contextType: '../context.ts#GatewayContext',
    mappers: {
      ChatUser: '../connectors/chat/schemas.ts#SlackUser',
      Channel: '../connectors/chat/schemas.ts#SlackConversation',
      Message: '../connectors/chat/schemas.ts#ChatMessage',
      Owner: '../../resolvers/chat/parents.ts#OwnerParent',
    },
    useTypeImports: true,
    enumsAsTypes: true,
    // Resolvers may return Date objects, ISO strings or epoch ms; resolvers/scalars.ts serializes all three.
    scalars: { DateTime: { input: 'Date', output: 'Date | string | number' } },
  },
};
