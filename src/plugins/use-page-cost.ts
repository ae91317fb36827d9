/**
 * The cost limit again, at execution, with each page's real size. graphql-armor's cost limit
 * (use-limits.ts) multiplies a field's cost by its `first` only when `first` is written as a
 * number: `first: $n`, or `first` left to its default of 20, counted as one item, so a query
 * nesting pages through variables escaped the limit. Here the multiplier is the value the
 * field will really get: the literal, else the variable's value, else the variable's default,
 * else the argument's default. Same weights as armor (object 2, scalar 1, ×1.5 a level);
 * fragments count as the selections they stand for.
 */
import {
  getNamedType,
  getOperationAST,
  isObjectType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { refusal } from '../errors.ts';

const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_FACTOR = 1.5;
const PAGE_ARGUMENTS = new Set(['first', 'last']);

interface Costing {
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Readonly<Record<string, unknown>>;
  defaults: ReadonlyMap<string, ValueNode>;
  /** Set when a page size came from a variable: the cost then holds for these variables only. */
  variable?: boolean;
}

function pageSize(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 1 ? Math.floor(value) : 1;
}

function setCost(type: GraphQLObjectType, set: SelectionSetNode, costing: Costing, seen: ReadonlySet<string>): number {
  let cost = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) cost += setCost(type, selection.selectionSet, costing, seen);
    else if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = costing.fragments.get(selection.name.value);
      if (fragment && !seen.has(fragment.name.value))
        cost += setCost(type, fragment.selectionSet, costing, new Set([...seen, fragment.name.value]));
    } else {
      const field = type.getFields()[selection.name.value];
      const named = field ? getNamedType(field.type) : undefined;
      if (!selection.selectionSet || !named || !isObjectType(named)) {
        cost += DEPTH_FACTOR * SCALAR_COST;
        continue;
      }
      let size = 1;
      for (const argument of field!.args) {
        if (!PAGE_ARGUMENTS.has(argument.name)) continue;
        const given = selection.arguments?.find((node) => node.name.value === argument.name)?.value;
        if (given?.kind === Kind.VARIABLE) costing.variable = true;
        const value =
          given?.kind === Kind.VARIABLE
            ? (costing.variables[given.name.value] ??
              (costing.defaults.get(given.name.value) ? valueFromAST(costing.defaults.get(given.name.value)!, argument.type) : undefined))
            : given
              ? valueFromAST(given, argument.type)
              : argument.defaultValue;
        size = Math.max(size, pageSize(value));
      }
      cost += DEPTH_FACTOR * size * (OBJECT_COST + setCost(named, selection.selectionSet, costing, seen));
    }
  }
  return cost;
}

/** Costs of documents whose page sizes no variable sets, by operation name. */
const fixedCosts = new WeakMap<DocumentNode, Map<string, number>>();

/** The operation's cost with every page at the size it will have. */
export function pageCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
): number | undefined {
  const known = fixedCosts.get(document)?.get(operationName ?? '');
  if (known !== undefined) return known;
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return undefined;
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [],
    ),
  );
  const defaults = new Map(
    (operation.variableDefinitions ?? []).flatMap((definition) =>
      definition.defaultValue ? [[definition.variable.name.value, definition.defaultValue]] : [],
    ),
  );
  const costing: Costing = { fragments, variables, defaults };
  // The root level carries no depth factor (as armor counts it).
  const cost = setCost(root, operation.selectionSet, costing, new Set()) / DEPTH_FACTOR;
  if (!costing.variable) {
    let byName = fixedCosts.get(document);
    if (!byName) fixedCosts.set(document, (byName = new Map()));
    byName.set(operationName ?? '', cost);
  }
  return cost;
}

export function usePageCost(maxCost: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const cost = pageCost(args.schema, args.document, args.operationName, (args.variableValues ?? {}) as Record<string, unknown>);
      if (cost === undefined || cost <= maxCost) return;
      setResultAndStopExecution({
        errors: [
          refusal(
            'GRAPHQL_VALIDATION_FAILED',
            `Query Cost limit of ${maxCost} exceeded, found ${Math.round(cost * 100) / 100} with each page at its size.`,
          ),
        ],
      });
    },
  };
}
