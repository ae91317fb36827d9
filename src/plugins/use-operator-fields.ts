/**
 * The operators' root fields (`integrationHealth`, `integrationHealthChanged`,
 * `deprecatedFieldUsage`) refuse a whole request from a key without their scope: HTTP 403
 * FORBIDDEN before anything executes, so the answer carries no data at all — not even the
 * other fields of the same operation — and a monitor or the status page sees a refusal, not
 * a 200 with a null it could mistake for "no data yet". Every other field keeps the graph's
 * rule: FORBIDDEN at its path, HTTP 200, the rest resolved.
 */
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getOperationAST,
  GraphQLError,
  Kind,
  type OperationTypeNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { forbiddenError } from '../auth/scope-checks.ts';
import type { Principal } from '../auth/scopes.ts';
import { DEPRECATED_FIELD_USAGE_SCOPES } from '../deprecation/schema.ts';
import { httpOf } from '../errors.ts';
import { INTEGRATION_HEALTH_SCOPES } from '../health/schema.ts';

/** Root type → field → the scopes it needs, all of them. */
const OPERATOR_FIELDS: Partial<Record<OperationTypeNode, Record<string, string[]>>> = {
  query: { integrationHealth: INTEGRATION_HEALTH_SCOPES, deprecatedFieldUsage: DEPRECATED_FIELD_USAGE_SCOPES },
  subscription: { integrationHealthChanged: INTEGRATION_HEALTH_SCOPES },
};

const ROOT_TYPE: Record<OperationTypeNode, string> = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };

/** The root field names an operation selects, through fragments and inline fragments. */
function rootFields(document: DocumentNode, selections: SelectionSetNode): string[] {
  const seen = new Set<string>();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const names: string[] = [];
  const walk = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) names.push(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(selections);
  return names;
}

/** The refusal for this operation, or null when it selects no operator field the principal lacks the scope for. */
function operatorRefusal(
  document: DocumentNode,
  operationName: string | null | undefined,
  principal: Principal | undefined,
): GraphQLError | null {
  const operation = getOperationAST(document, operationName);
  const guarded = operation && OPERATOR_FIELDS[operation.operation];
  if (!operation || !guarded) return null;
  for (const name of rootFields(document, operation.selectionSet)) {
    const scopes = guarded[name];
    const error = scopes && forbiddenError(principal, `${ROOT_TYPE[operation.operation]}.${name}`, [scopes]);
    if (error) return new GraphQLError(error.message, { extensions: { ...error.extensions, http: httpOf('FORBIDDEN', undefined, 403) } });
  }
  return null;
}

export function useOperatorFields(): Plugin<{ principal?: Principal }> {
  type Hook = {
    args: { document: DocumentNode; operationName?: string | null; contextValue: { principal?: Principal } };
    setResultAndStopExecution(result: { errors: GraphQLError[] }): void;
  };
  const refuse = ({ args, setResultAndStopExecution }: Hook) => {
    const refused = operatorRefusal(args.document, args.operationName, args.contextValue.principal);
    if (refused) setResultAndStopExecution({ errors: [refused] });
  };
  return { onExecute: refuse, onSubscribe: refuse };
}
