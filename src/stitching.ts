/**
 * One graph from three subschemas. Each system's subschema (resolvers/<system>) declares
 * the types it owns, the types it extends with link fields, and batched merge entry points
 * (`_`-prefixed root fields taking a list of keys); stitching merges the types and calls
 * each entry point once per merged type per level. The entry points are plumbing, not API:
 * they are removed from the public schema here, together with the key input types only
 * they used.
 */
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { stitchSchemas } from '@graphql-tools/stitch';
import { filterSchema, type IResolvers, MapperKind, mapSchema, pruneSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from 'graphql';
import { createBillingSubschema } from '../resolvers/billing/index.ts';
import { createChatSubschema } from '../resolvers/chat/index.ts';
import { createCrmSubschema } from '../resolvers/crm/index.ts';
import { scopeRequirementsOf, withGatewayScopeChecks, withSubschemaScopeChecks } from './auth/scope-checks.ts';
import { createWorkflowResolvers, workflowTypeDefs } from './workflows/schema.ts';
import { isGatewayError } from './errors.ts';
import { createSubscriptionResolvers, subscriptionTypeDefs } from './subscriptions/schema.ts';
import { createSubschemaExecutor } from './subschema-executor.ts';

/**
 * Resolvers and loaders throw GatewayError. Converting it to a GraphQLError inside the
 * subschema keeps `extensions` (code, service, retryAfter) intact through delegation,
 * which relocates errors to the gateway path but copies only GraphQL-level fields.
 */
function withGatewayErrors(subschema: SubschemaConfig): SubschemaConfig {
  const schema = mapSchema(subschema.schema, {
    [MapperKind.OBJECT_FIELD]: (field) => {
      const resolve = field.resolve;
      // Default resolvers only read properties and cannot throw a GatewayError; leaving
      // them alone keeps the hot path synchronous.
      if (!resolve || resolve === defaultFieldResolver) return field;
      return {
        ...field,
        resolve: (source, args, context, info) => {
          try {
            const result: unknown = resolve(source, args, context, info);
            return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(toClientError(error))) : result;
          } catch (error) {
            throw toClientError(error);
          }
        },
      };
    },
  });
  return { ...subschema, schema };
}

function toClientError(error: unknown): unknown {
  if (isGatewayError(error)) return new GraphQLError(error.message, { extensions: error.extensions });
  if (error instanceof GraphQLError && isGatewayError(error.originalError)) {
    return new GraphQLError(error.originalError.message, { extensions: error.originalError.extensions });
  }
  return error;
}

export function createSubschemas(): SubschemaConfig[] {
  return [
    withSubschemaScopeChecks(createCrmSubschema(), 'crm'),
    withSubschemaScopeChecks(createBillingSubschema(), 'billing'),
    withSubschemaScopeChecks(createChatSubschema(), 'chat'),
  ]
    .map(withGatewayErrors)
    .map((subschema) => ({ ...subschema, executor: createSubschemaExecutor(subschema.schema) }));
}

export function buildGatewaySchema(subschemas: SubschemaConfig[] = createSubschemas()): GraphQLSchema {
  // Read before stitching, which merges the subschemas' root type nodes in place.
  const requirements = scopeRequirementsOf(subschemas);
  // The gateway-level Subscription type (src/subscriptions) resolves through the stitched root fields.
  const stitched = stitchSchemas({
    subschemas,
    mergeTypes: true,
    typeDefs: [subscriptionTypeDefs, workflowTypeDefs],
    resolvers: [createSubscriptionResolvers() as IResolvers, createWorkflowResolvers() as unknown as IResolvers],
  });
  const pruned = pruneSchema(filterSchema({ schema: stitched, rootFieldFilter: (_operation, name) => !name.startsWith('_') }));
  return withGatewayScopeChecks(pruned, requirements);
}
