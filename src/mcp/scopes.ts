/**
 * The scopes an operation needs, read statically from the fields it selects: for each field,
 * the alternatives the gateway's own checks accept (src/auth/scope-checks.ts: `@requiresScopes`
 * in each system's SDL, merged across the systems that define a field) or, for the gateway-level
 * fields whose resolvers check scopes themselves, WORKFLOW_FIELD_SCOPES. A caller is offered a
 * tool only when it holds one alternative for every field, so a listed tool never answers
 * FORBIDDEN; the GraphQL pipeline checks again on every call, so a mistake here can only hide
 * a tool, never open one.
 */
import {
  type DocumentNode,
  type GraphQLSchema,
  isAbstractType,
  isObjectType,
  type GraphQLNamedType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { ScopeRequirements } from '../auth/scope-checks.ts';
import { hasScopes, type Principal } from '../auth/scopes.ts';
import { WORKFLOW_FIELD_SCOPES } from '../workflows/schema.ts';

/** Per field coordinate the operation selects: the alternative scope sets, any one of which grants it. */
export type OperationRequirements = ReadonlyMap<string, readonly (readonly string[])[]>;

function objectTypesOf(schema: GraphQLSchema, type: GraphQLNamedType): string[] {
  if (isObjectType(type)) return [type.name];
  return isAbstractType(type) ? schema.getPossibleTypes(type).map((t) => t.name) : [];
}

export function operationRequirements(
  schema: GraphQLSchema,
  requirements: ScopeRequirements,
  document: DocumentNode,
): OperationRequirements {
  const needed = new Map<string, readonly (readonly string[])[]>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent || node.name.value.startsWith('__')) return;
        // A field of an interface or union runs on whichever object type answers: every one's checks must pass.
        for (const typeName of objectTypesOf(schema, parent)) {
          const coordinate = `${typeName}.${node.name.value}`;
          const own = WORKFLOW_FIELD_SCOPES[coordinate];
          const alternatives = requirements.get(coordinate) ?? (own ? [own] : undefined);
          if (alternatives) needed.set(coordinate, alternatives);
        }
      },
    }),
  );
  return needed;
}

/** Whether `principal` may run an operation with these requirements. */
export function allows(principal: Principal, needed: OperationRequirements): boolean {
  for (const alternatives of needed.values()) {
    if (!alternatives.some((scopes) => hasScopes(principal, scopes))) return false;
  }
  return true;
}

/** The scopes a caller lacks, the smallest set per field, for a refusal that says what to ask for. */
export function missingFor(principal: Principal, needed: OperationRequirements): string[] {
  const missing = new Set<string>();
  for (const alternatives of needed.values()) {
    if (alternatives.some((scopes) => hasScopes(principal, scopes))) continue;
    const fewest = alternatives
      .map((scopes) => scopes.filter((scope) => !hasScopes(principal, [scope])))
      .reduce((best, next) => (next.length < best.length ? next : best));
    for (const scope of fewest) missing.add(scope);
  }
  return [...missing].sort();
}
