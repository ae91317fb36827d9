/**
 * A tool's input JSON Schema from its operation's variables, typed against the gateway's schema:
 * non-null without a default is required; lists are arrays; enums list their values; input
 * objects are closed objects with their fields' descriptions. Each variable is described by the
 * argument or input field it feeds (the schema's own description), so an agent reads the same
 * docs a GraphiQL user does. GraphQL itself still coerces and validates the values a tool is
 * called with (BAD_USER_INPUT): this schema tells the agent what to send, it guards nothing.
 */
import {
  type GraphQLInputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type OperationDefinitionNode,
  TypeInfo,
  typeFromAST,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
} from 'graphql';

export type JsonSchema = Record<string, unknown>;

const INT32 = { minimum: -2_147_483_648, maximum: 2_147_483_647 };

function scalarSchema(name: string, description: string | null | undefined): JsonSchema {
  switch (name) {
    case 'String':
      return { type: 'string' };
    case 'ID':
      return { type: 'string', description: description ?? 'An ID, as the system of record writes it.' };
    case 'Int':
      return { type: 'integer', ...INT32 };
    case 'Float':
      return { type: 'number' };
    case 'Boolean':
      return { type: 'boolean' };
    case 'DateTime':
      return { type: 'string', format: 'date-time', ...(description ? { description } : {}) };
    default:
      return description ? { description } : {};
  }
}

/** The JSON Schema of one GraphQL input type; `seen` stops a recursive input type after one level. */
export function inputTypeSchema(type: GraphQLInputType, seen: ReadonlySet<string> = new Set()): JsonSchema {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return { type: 'array', items: inputTypeSchema(inner.ofType, seen) };
  if (isScalarType(inner)) return scalarSchema(inner.name, inner.description);
  if (isEnumType(inner)) {
    const values = inner.getValues().filter((value) => !value.deprecationReason);
    return { type: 'string', enum: values.map((value) => value.name), ...(inner.description ? { description: inner.description } : {}) };
  }
  if (!isInputObjectType(inner)) return {};
  if (seen.has(inner.name)) return { type: 'object', description: inner.description ?? inner.name };
  const within = new Set([...seen, inner.name]);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of Object.values(inner.getFields())) {
    const schema = inputTypeSchema(field.type, within);
    properties[field.name] = field.description ? { ...schema, description: field.description } : schema;
    if (isNonNullType(field.type) && field.defaultValue === undefined) required.push(field.name);
  }
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
    ...(inner.description ? { description: inner.description } : {}),
  };
}

/** What each variable feeds, by variable name: the description of the argument or input field it is the value of. */
function variableUses(schema: GraphQLSchema, operation: OperationDefinitionNode): Map<string, string> {
  const uses = new Map<string, string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    operation,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        if (node.value.kind !== 'Variable' || uses.has(node.value.name.value)) return;
        const argument = typeInfo.getArgument();
        const field = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        const where = `\`${node.name.value}\` of ${parent?.name ?? ''}.${field?.name ?? ''}`;
        uses.set(node.value.name.value, argument?.description ? `${argument.description} (${where})` : `The ${where}.`);
      },
      ObjectField(node) {
        if (node.value.kind !== 'Variable' || uses.has(node.value.name.value)) return;
        const parent = typeInfo.getParentInputType();
        const named = parent && (isNonNullType(parent) ? parent.ofType : parent);
        const field = isInputObjectType(named) ? named.getFields()[node.name.value] : undefined;
        const where = `\`${node.name.value}\` of ${isInputObjectType(named) ? named.name : 'input'}`;
        uses.set(node.value.name.value, field?.description ? `${field.description} (${where})` : `The ${where}.`);
      },
    }),
  );
  return uses;
}

export interface VariableOverrides {
  /** Variables the tool requires even though the document gives them a default (an idempotency key). */
  required?: ReadonlySet<string>;
  /** Descriptions that replace the derived one. */
  descriptions?: Readonly<Record<string, string>>;
}

/** The operation's variables as one closed JSON Schema object. */
export function variablesSchema(schema: GraphQLSchema, operation: OperationDefinitionNode, overrides: VariableOverrides = {}): JsonSchema {
  const uses = variableUses(schema, operation);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) continue;
    const forced = overrides.required?.has(name) ?? false;
    const hasDefault = definition.defaultValue !== undefined && !forced;
    const description = overrides.descriptions?.[name] ?? uses.get(name);
    properties[name] = {
      ...inputTypeSchema(type),
      ...(description ? { description } : {}),
      ...(hasDefault ? { default: valueFromASTUntyped(definition.defaultValue!) } : {}),
    };
    if (forced || (isNonNullType(type) && !hasDefault)) required.push(name);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}
