/**
 * `graphql_query` (MCP_ALLOW_ARBITRARY=1 only): any read-only query, for questions the trusted
 * documents do not answer. It runs through the same pipeline as every tool, so the caller's
 * scopes, the depth, alias, token and cost limits, the rate limit and introspection policy all
 * apply. Writes are refused here, before anything is sent: an agent writes only through the
 * mutation tools, which carry idempotency keys and are listed by scope. Not offered with
 * TRUSTED_DOCUMENTS=1, where the gateway runs no text it does not know.
 */
import { Kind, parse, type DocumentNode } from 'graphql';
import type { JsonSchema } from './input-schema.ts';
import type { ToolError } from './execute.ts';

export const ARBITRARY_TOOL = 'graphql_query';

export const ARBITRARY_DESCRIPTION =
  "Runs one read-only GraphQL query against the gateway (no mutations, no subscriptions), with your key's scopes " +
  'and the usual depth and cost limits. Read the resources switchboard://schema.graphql and switchboard://guide/links ' +
  'first; prefer the named tools when one fits.';

export const ARBITRARY_INPUT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    query: { type: 'string', description: 'The GraphQL query document (query operations only).' },
    variables: { type: 'object', description: "The query's variables.", additionalProperties: true },
  },
  required: ['query'],
  additionalProperties: false,
};

/** Null when `query` holds only query operations (and fragments); else why it is refused. */
export function readOnlyProblem(query: unknown): ToolError | null {
  if (typeof query !== 'string' || query.trim() === '')
    return { code: 'BAD_USER_INPUT', message: '`query` must be a GraphQL query document.' };
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return { code: 'GRAPHQL_PARSE_FAILED', message: (error as Error).message };
  }
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION && definition.operation !== 'query') {
      const name = definition.name ? ` ${definition.name.value}` : '';
      return {
        code: 'BAD_REQUEST',
        message: `graphql_query runs read-only queries only: the ${definition.operation}${name} is refused. Writes go through their own tools, which take an idempotency key.`,
      };
    }
  }
  return null;
}
