/**
 * Which deprecated schema elements one operation uses: fields it selects, arguments it
 * passes, input fields it sets and enum values it writes — as literals in the document or,
 * for enum values and input fields, inside its variables. Each element counts once per
 * operation however often it appears (aliases, fragments, repeated selections), so one
 * operation that reads `Deal.amount` is one use of it.
 *
 * The document part is worked out once per parsed document and operation name (Yoga hands
 * the same DocumentNode for the same text), so a repeated operation costs a map lookup; the
 * variables part is a walk over only those variables whose type can hold something
 * deprecated, and none at all while the schema has no deprecated enum value or input field.
 */
import {
  type DefinitionNode,
  type DocumentNode,
  getNamedType,
  type GraphQLInputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { compareText, deprecationOf, type Deprecation } from '../schema-contract/deprecation.ts';

/** The document-level part of one top-level definition (an operation or a fragment). */
interface DefinitionUses {
  found: Map<string, Deprecation>;
  spreads: Set<string>;
}

/** One operation of a document, as far as the document alone says. */
interface OperationPlan {
  literal: readonly Deprecation[];
  /** Variables whose values must be looked into, with their declared types. */
  variables: readonly (readonly [string, GraphQLInputType])[];
}

const plans = new WeakMap<DocumentNode, Map<string, OperationPlan | null>>();
/** Per schema: the input types that can hold a deprecated enum value or input field. */
const holdersBySchema = new WeakMap<GraphQLSchema, Set<string>>();

/**
 * The deprecated elements the selected operation uses, sorted by coordinate; empty when the
 * document has no such operation (execution reports that).
 */
export function deprecatedUses(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): Deprecation[] {
  const plan = planFor(schema, document, operationName);
  if (!plan) return [];
  if (plan.variables.length === 0 || !variables) return [...plan.literal];
  const found = new Map(plan.literal.map((use) => [use.coordinate, use]));
  for (const [name, type] of plan.variables) inspectValue(type, variables[name], found);
  return [...found.values()].sort((a, b) => compareText(a.coordinate, b.coordinate));
}

function planFor(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): OperationPlan | null {
  let byName = plans.get(document);
  if (!byName) plans.set(document, (byName = new Map()));
  const key = operationName ?? '';
  let plan = byName.get(key);
  if (plan === undefined) byName.set(key, (plan = buildPlan(schema, document, operationName)));
  return plan;
}

function selectedOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

function buildPlan(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): OperationPlan | null {
  const operation = selectedOperation(document, operationName);
  if (!operation) return null;
  const definitions = usesByDefinition(schema, document);
  // The operation's own uses, then those of every fragment it reaches, each fragment once.
  const found = new Map<string, Deprecation>();
  const pending: DefinitionNode[] = [operation];
  const seen = new Set<DefinitionNode>(pending);
  for (let node = pending.pop(); node; node = pending.pop()) {
    const uses = definitions.get(node);
    if (!uses) continue;
    for (const [coordinate, use] of uses.found) found.set(coordinate, use);
    for (const name of uses.spreads) {
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name);
      if (fragment && !seen.has(fragment)) {
        seen.add(fragment);
        pending.push(fragment);
      }
    }
  }
  const holders = holdersOf(schema);
  const variables = (operation.variableDefinitions ?? []).flatMap((definition) => {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    return type && holders.has(getNamedType(type).name) ? [[definition.variable.name.value, type] as const] : [];
  });
  return { literal: [...found.values()].sort((a, b) => compareText(a.coordinate, b.coordinate)), variables };
}

/** One pass over the document with type information, collecting per top-level definition. */
function usesByDefinition(schema: GraphQLSchema, document: DocumentNode): Map<unknown, DefinitionUses> {
  const typeInfo = new TypeInfo(schema);
  const result = new Map<unknown, DefinitionUses>();
  let current: DefinitionUses = { found: new Map(), spreads: new Set() };
  const note = (coordinate: string, reason: string | null | undefined) => {
    const deprecation = deprecationOf(coordinate, reason);
    if (deprecation) current.found.set(coordinate, deprecation);
  };
  const enter = (node: unknown) => {
    current = { found: new Map(), spreads: new Set() };
    result.set(node, current);
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition: enter,
      FragmentDefinition: enter,
      FragmentSpread: (node) => void current.spreads.add(node.name.value),
      Field: (node) => {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (parent && field) note(`${parent.name}.${node.name.value}`, field.deprecationReason);
      },
      Argument: (node) => {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const argument = typeInfo.getArgument();
        if (parent && field && argument) note(`${parent.name}.${field.name}(${node.name.value}:)`, argument.deprecationReason);
      },
      ObjectField: (node) => {
        const parent = getNamedType(typeInfo.getParentInputType() ?? undefined);
        if (isInputObjectType(parent)) note(`${parent.name}.${node.name.value}`, parent.getFields()[node.name.value]?.deprecationReason);
      },
      EnumValue: (node) => {
        const type = getNamedType(typeInfo.getInputType() ?? undefined);
        if (isEnumType(type)) note(`${type.name}.${node.value}`, type.getValue(node.value)?.deprecationReason);
      },
    }),
  );
  return result;
}

/** Input types that hold a deprecated enum value or input field, directly or through their fields. */
function holdersOf(schema: GraphQLSchema): Set<string> {
  let holders = holdersBySchema.get(schema);
  if (holders) return holders;
  holders = new Set();
  const inputs = Object.values(schema.getTypeMap()).filter((type) => isEnumType(type) || isInputObjectType(type));
  for (const type of inputs) {
    if (isEnumType(type) && type.getValues().some((value) => value.deprecationReason != null)) holders.add(type.name);
    if (isInputObjectType(type) && Object.values(type.getFields()).some((field) => field.deprecationReason != null)) holders.add(type.name);
  }
  // An input object holds what any of its fields' types hold: grow the set until it is stable.
  for (let grew = true; grew;) {
    grew = false;
    for (const type of inputs) {
      if (holders.has(type.name) || !isInputObjectType(type)) continue;
      if (Object.values(type.getFields()).some((field) => holders.has(getNamedType(field.type).name))) {
        holders.add(type.name);
        grew = true;
      }
    }
  }
  holdersBySchema.set(schema, holders);
  return holders;
}

/** Looks into a variable's value as the client sent it; values of the wrong shape are left to coercion to refuse. */
function inspectValue(type: GraphQLInputType, value: unknown, found: Map<string, Deprecation>): void {
  if (value === null || value === undefined) return;
  if (isNonNullType(type)) return inspectValue(type.ofType, value, found);
  if (isListType(type)) {
    // A single value where a list is expected is coerced to a list of one.
    for (const item of Array.isArray(value) ? value : [value]) inspectValue(type.ofType, item, found);
    return;
  }
  if (isEnumType(type)) {
    const deprecation =
      typeof value === 'string' ? deprecationOf(`${type.name}.${value}`, type.getValue(value)?.deprecationReason) : undefined;
    if (deprecation) found.set(deprecation.coordinate, deprecation);
    return;
  }
  if (!isInputObjectType(type) || typeof value !== 'object') return;
  const fields = type.getFields();
  for (const [name, item] of Object.entries(value)) {
    const field = fields[name];
    if (!field) continue;
    const deprecation = deprecationOf(`${type.name}.${name}`, field.deprecationReason);
    if (deprecation) found.set(deprecation.coordinate, deprecation);
    inspectValue(field.type, item, found);
  }
}
