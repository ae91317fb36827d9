/**
 * Applies `@skip` and `@include` at the gateway, before stitching plans anything.
 *
 * Stitching adds each merged type's key fields (`id`, `email`) to the selection it delegates.
 * When the client selected the same field under a condition (`id @skip(if: true)`), the two
 * share one response key and graphql-js merges them, condition included: the key is skipped
 * too, and the merge entry point gets keys without their `id` (an INTERNAL_SERVER_ERROR,
 * found by the property test). Folding the conditions with the request's variables first
 * leaves stitching a document without them: skipped selections are gone, kept ones carry no
 * condition, and the answer is the same one graphql-js would give.
 */
import {
  type DirectiveNode,
  type DocumentNode,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  visit,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { flattenFragments } from '../gateway/flatten-fragments.ts';

const hasConditions = new WeakMap<DocumentNode, boolean>();

function isCondition(directive: DirectiveNode): boolean {
  return directive.name.value === 'skip' || directive.name.value === 'include';
}

function mentionsConditions(document: DocumentNode): boolean {
  let found = hasConditions.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      Directive(node) {
        if (isCondition(node)) found = true;
      },
    });
    hasConditions.set(document, found);
  }
  return found;
}

/**
 * The document with every `@skip`/`@include` decided for these variables, or the document
 * itself when it has none or its variables do not coerce (execution then reports that).
 */
export function foldConditions(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  inputs: Record<string, unknown> | null | undefined,
): DocumentNode {
  if (!mentionsConditions(document)) return document;
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) return document;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], inputs ?? {});
  if (coerced.errors) return document;
  const variables = coerced.coerced;
  const decide = (node: { directives?: readonly DirectiveNode[] }) => {
    if (!node.directives?.some(isCondition)) return undefined;
    if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return null;
    if (getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if === false) return null;
    return { ...node, directives: node.directives.filter((directive) => !isCondition(directive)) };
  };
  // A selection set whose every selection is skipped is left as the client wrote it: an empty
  // one cannot be delegated, and a level that selects nothing needs no merge key either.
  const originals: SelectionSetNode[] = [];
  return visit(document, {
    Field: decide,
    InlineFragment: decide,
    FragmentSpread: decide,
    SelectionSet: {
      enter: (node) => void originals.push(node),
      leave: (node) => {
        const original = originals.pop();
        return node.selections.length === 0 ? original : undefined;
      },
    },
  });
}

/** Folds the conditions, then merges the fragments left without a directive (src/gateway/flatten-fragments.ts). */
export function useConditionalFolding(): Plugin {
  return {
    onExecute({ args }) {
      args.document = flattenFragments(foldConditions(args.schema, args.document, args.operationName, args.variableValues));
    },
    onSubscribe({ args }) {
      args.document = flattenFragments(foldConditions(args.schema, args.document, args.operationName, args.variableValues));
    },
  };
}
