/**
 * One graph from the systems' subschemas. Each system's subschema (resolvers/<system>) declares
 * the types it owns, the types it extends with link fields, and batched merge entry points
 * (`_`-prefixed root fields taking a list of keys); stitching merges the types and calls
 * each entry point once per merged type per level. The entry points are plumbing, not API:
 * they are removed from the public schema here, together with the key input types only
 * they used.
 */
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { stitchSchemas } from '@graphql-tools/stitch';
import { filterSchema, type IResolvers, MapperKind, mapSchema, pruneSchema, isPromise, relocatedError } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  type GraphQLFieldResolver,
  GraphQLError,
  type GraphQLResolveInfo,
  GraphQLScalarType,
  type GraphQLSchema,
  responsePathAsArray,
} from 'graphql';
import { DateTime, SUBSCHEMAS } from '../resolvers/index.ts';
import { scopeRequirementsOf, withGatewayScopeChecks, withSubschemaScopeChecks } from './auth/scope-checks.ts';
import { createWorkflowResolvers, workflowTypeDefs } from './workflows/schema.ts';
import { createDeprecationResolvers, deprecationTypeDefs } from './deprecation/schema.ts';
import { createHealthResolvers, healthTypeDefs } from './health/schema.ts';
import { isGatewayError, toClientError } from './errors.ts';
import { createSubscriptionResolvers, subscriptionTypeDefs } from './subscriptions/schema.ts';
import { createSubschemaExecutor } from './subschema-executor.ts';
import { SYSTEM_NAMES } from './systems/catalog.ts';

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
            return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(asSubschemaError(error))) : result;
          } catch (error) {
            throw asSubschemaError(error);
          }
        },
      };
    },
  });
  return { ...subschema, schema };
}

/** A GatewayError (bare or wrapped) becomes what a client sees; any other error is left for the gateway's masking. */
function asSubschemaError(error: unknown): unknown {
  if (isGatewayError(error)) return toClientError(error);
  if (error instanceof GraphQLError && isGatewayError(error.originalError)) return toClientError(error.originalError);
  return error;
}

export function createSubschemas(): SubschemaConfig[] {
  return SYSTEM_NAMES.map((system) => withSubschemaScopeChecks(SUBSCHEMAS[system](), system))
    .map(withGatewayErrors)
    .map((subschema, index) => ({ ...subschema, executor: createSubschemaExecutor(subschema.schema, SYSTEM_NAMES[index]) }));
}

/**
 * The stitched schema's DateTime. Stitching would give the gateway an identity scalar, so a
 * bad instant was let through and refused only by the subschema, as an error of the whole
 * delegated request — which nulled every sibling root field of that system. This one
 * refuses it where every other invalid argument is refused (validation, variable
 * coercion), before anything is delegated, and passes the subschemas' ISO strings through.
 */
const GatewayDateTime = new GraphQLScalarType<unknown, unknown>({
  name: DateTime.name,
  description: DateTime.description,
  serialize: (value) => (typeof value === 'string' ? value : DateTime.serialize(value)),
  parseValue: (value) => DateTime.serialize(DateTime.parseValue(value)),
  parseLiteral: (ast, variables) => DateTime.serialize(DateTime.parseLiteral(ast, variables)),
});

export function buildGatewaySchema(subschemas: SubschemaConfig[] = createSubschemas()): GraphQLSchema {
  // Read before stitching, which merges the subschemas' root type nodes in place.
  const requirements = scopeRequirementsOf(subschemas);
  // The gateway-level Subscription type (src/subscriptions) resolves through the stitched root fields.
  const stitched = stitchSchemas({
    subschemas,
    mergeTypes: true,
    typeDefs: [subscriptionTypeDefs, workflowTypeDefs, deprecationTypeDefs, healthTypeDefs],
    resolvers: [
      createSubscriptionResolvers() as IResolvers,
      createWorkflowResolvers() as unknown as IResolvers,
      createDeprecationResolvers() as unknown as IResolvers,
      createHealthResolvers() as unknown as IResolvers,
      { DateTime: GatewayDateTime },
    ],
  });
  const pruned = pruneSchema(filterSchema({ schema: stitched, rootFieldFilter: (_operation, name) => !name.startsWith('_') }));
  return withExactErrorPaths(withGatewayScopeChecks(pruned, requirements));
}

type Path = readonly (string | number)[];

function startsWith(path: Path, prefix: Path): boolean {
  return path.length >= prefix.length && prefix.every((segment, index) => path[index] === segment);
}

/**
 * An error a subschema reported keeps the path delegation gave it, and graphql-js never
 * re-locates an error that has one. Delegation gets it wrong for merged objects: a batched
 * merge (`_billingContacts` for a page of contacts) is delegated once for the whole list,
 * with the list field's path, and batch-delegate strips the item index — so every item's
 * error read `["contacts","nodes","billingCustomer"]`. The field that raises the error in
 * the gateway is the one the error nulls, so its own path is the exact one; a path below it
 * (a non-null field inside that bubbled up to it) is kept.
 */
function atPath(error: unknown, path: Path): unknown {
  // Delegation folds several errors under one null into an AggregateError, which graphql-js
  // would report as an unexpected error (INTERNAL_SERVER_ERROR); the first one is the cause.
  if (error instanceof AggregateError && error.errors[0] instanceof GraphQLError) return atPath(error.errors[0], path);
  if (!(error instanceof GraphQLError) || !error.path || startsWith(error.path, path)) return error;
  return relocatedError(error, path);
}

function locatedValue(value: unknown, info: GraphQLResolveInfo): unknown {
  if (value instanceof Error) return atPath(value, responsePathAsArray(info.path));
  // A list may carry one error per failed item (a batch settles per record).
  if (Array.isArray(value) && value.some((item) => item instanceof Error)) {
    const path = responsePathAsArray(info.path);
    return value.map((item, index) => (item instanceof Error ? atPath(item, [...path, index]) : item));
  }
  return value;
}

function withExactErrorPaths(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, _fieldName, typeName) => {
      if (typeName.startsWith('__')) return field;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      return {
        ...field,
        resolve: (source, args, context, info) => {
          let result: unknown;
          try {
            result = resolve(source, args, context, info);
          } catch (error) {
            throw atPath(error, responsePathAsArray(info.path));
          }
          if (isPromise(result)) {
            return result.then(
              (value: unknown) => locatedValue(value, info),
              (error: unknown) => Promise.reject(atPath(error, responsePathAsArray(info.path))),
            );
          }
          return locatedValue(result, info);
        },
      };
    },
  });
}
