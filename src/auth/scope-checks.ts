/**
 * Field-level scope enforcement from the `@requiresScopes` directive in each subschema's
 * SDL. A field's scopes come from the field's own directive, else its type's, else the
 * system's default (`<system>:read`, `<system>:write` on Mutation), so a field added
 * without an annotation is guarded rather than public.
 *
 * Checks run twice, for different reasons:
 * - in the stitched schema, on every field: the caller sees a null with FORBIDDEN at the
 *   exact path (also for edges into another system, e.g. Contact.billingCustomer), and
 *   the rest of the response resolves;
 * - in each subschema, on fields that have resolvers (root fields, merge entry points,
 *   links): stitching fetches a merged type's fields from the other system before the
 *   gateway resolves them, and this check stops that upstream call.
 * A field a type shares across systems (a merge key such as Contact.id) may be read with
 * the scopes of any one system that defines it.
 */
import type { SubschemaConfig } from '@graphql-tools/delegate';
import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  defaultFieldResolver,
  GraphQLError,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  isObjectType,
} from 'graphql';
import type { SystemName } from '../errors.ts';
import { missingScopes, type Principal } from './scopes.ts';

export const REQUIRES_SCOPES = 'requiresScopes';

/** Per `Type.field`: the alternative scope sets, any one of which grants access. */
export type ScopeRequirements = Map<string, string[][]>;

interface ScopedContext {
  principal?: Principal;
}

function directiveScopes(schema: GraphQLSchema, node: Parameters<typeof getDirective>[1]): string[] | undefined {
  const found = getDirective(schema, node, REQUIRES_SCOPES)?.[0] as { scopes?: string[] } | undefined;
  return found?.scopes;
}

/** `Type.field` → the scopes one subschema requires for it. */
export function subschemaRequirements(schema: GraphQLSchema, system?: SystemName): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const mutation = schema.getMutationType()?.name;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const systemDefault = system && [type.name === mutation ? `${system}:write` : `${system}:read`];
    const fallback = directiveScopes(schema, type) ?? systemDefault;
    for (const field of Object.values(type.getFields())) {
      const scopes = directiveScopes(schema, field) ?? fallback;
      if (scopes) result.set(`${type.name}.${field.name}`, scopes);
    }
  }
  return result;
}

export function mergeRequirements(perSubschema: readonly Map<string, string[]>[]): ScopeRequirements {
  const merged: ScopeRequirements = new Map();
  for (const requirements of perSubschema) {
    for (const [coordinate, scopes] of requirements) merged.set(coordinate, [...(merged.get(coordinate) ?? []), scopes]);
  }
  return merged;
}

/** The check subscriptions run per delivered event (and resolvers may reuse): null when allowed. */
export function forbiddenError(
  principal: Principal | undefined,
  coordinate: string,
  alternatives: readonly string[][],
): GraphQLError | null {
  let lacking: string[] = [];
  for (const scopes of alternatives) {
    const missing = missingScopes(principal, scopes);
    if (missing.length === 0) return null;
    if (lacking.length === 0 || missing.length < lacking.length) lacking = missing;
  }
  return new GraphQLError(`Missing scope ${lacking.join(', ')} for ${coordinate}.`, {
    extensions: { code: 'FORBIDDEN', requiredScopes: lacking },
  });
}

function guard<TSource>(
  resolve: GraphQLFieldResolver<TSource, ScopedContext> | undefined,
  coordinate: string,
  alternatives: readonly string[][],
): GraphQLFieldResolver<TSource, ScopedContext> {
  const inner = resolve ?? defaultFieldResolver;
  return (source, args, context, info) => {
    const error = forbiddenError(context?.principal, coordinate, alternatives);
    if (error) throw error;
    return inner(source, args, context, info);
  };
}

function guardField(
  field: GraphQLFieldConfig<unknown, ScopedContext>,
  coordinate: string,
  alternatives: readonly string[][] | undefined,
  onlyResolved: boolean,
): GraphQLFieldConfig<unknown, ScopedContext> {
  if (!alternatives) return field;
  if (onlyResolved && (!field.resolve || field.resolve === defaultFieldResolver) && !field.subscribe) return field;
  return {
    ...field,
    resolve: guard(field.resolve, coordinate, alternatives),
    // Subscriptions: checked when subscribing, and `resolve` above runs again for every event.
    ...(field.subscribe ? { subscribe: guard(field.subscribe, coordinate, alternatives) } : {}),
  };
}

function withChecks(schema: GraphQLSchema, requirements: ScopeRequirements, onlyResolved: boolean): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      if (typeName.startsWith('__')) return field;
      const coordinate = `${typeName}.${fieldName}`;
      return guardField(field as GraphQLFieldConfig<unknown, ScopedContext>, coordinate, requirements.get(coordinate), onlyResolved);
    },
  });
}

/** Travels with the subschema config through later `{ ...subschema }` wrappers. */
const REQUIREMENTS = Symbol('scopeRequirements');
type WithRequirements = SubschemaConfig & { [REQUIREMENTS]?: Map<string, string[]> };

/** Subschema-side checks (stop upstream calls), with `system`'s scopes as the default. */
export function withSubschemaScopeChecks(subschema: SubschemaConfig, system: SystemName): SubschemaConfig {
  const requirements = subschemaRequirements(subschema.schema, system);
  const single: ScopeRequirements = new Map([...requirements].map(([coordinate, scopes]) => [coordinate, [scopes]]));
  const result: WithRequirements = { ...subschema, schema: withChecks(subschema.schema, single, true), [REQUIREMENTS]: requirements };
  return result;
}

/**
 * The stitched schema's requirements. Call it before `stitchSchemas`: stitching merges the
 * subschemas' Query/Mutation type nodes in place, directives included.
 */
export function scopeRequirementsOf(subschemas: readonly SubschemaConfig[]): ScopeRequirements {
  return mergeRequirements(subschemas.map((s) => (s as WithRequirements)[REQUIREMENTS] ?? subschemaRequirements(s.schema)));
}

/**
 * Gateway-side checks on every field of the stitched schema (see `scopeRequirementsOf`).
 * Fields no subschema defines (gateway typeDefs such as Subscription) use their own
 * field-level directive.
 */
export function withGatewayScopeChecks(schema: GraphQLSchema, requirements: ScopeRequirements): GraphQLSchema {
  const all: ScopeRequirements = new Map(requirements);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const scopes = all.has(coordinate) ? undefined : directiveScopes(schema, field);
      if (scopes) all.set(coordinate, [scopes]);
    }
  }
  return withChecks(schema, all, false);
}
