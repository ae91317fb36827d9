/**
 * Deprecation windows. A field, argument, input field or enum value leaves the contract in
 * two steps: it is first marked `@deprecated` with a reason that says when it may go
 * ("Use `value`. Removal after 2027-03-08."), and it may be removed only after that date.
 * The date is part of the promise to clients, so a reason without one is refused.
 */
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLSchema,
} from 'graphql';

/** A deprecated element of a schema, by its schema coordinate (`Type.field`, `Type.field(arg:)`, `Enum.VALUE`). */
export interface Deprecation {
  coordinate: string;
  reason: string;
  /** The date (YYYY-MM-DD) after which it may be removed; undefined when the reason names none. */
  removalDate?: string;
}

const REMOVAL_DATE = /Removal after (\d{4}-\d{2}-\d{2})\./;

/** The removal date a deprecation reason names, when it is a real calendar date. */
export function removalDateOf(reason: string): string | undefined {
  const date = REMOVAL_DATE.exec(reason)?.[1];
  if (!date) return undefined;
  // Date.parse accepts 2027-02-30 by rolling it over; a round trip refuses it.
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date ? date : undefined;
}

/** True when the window has closed: the removal date is strictly before `today` (both YYYY-MM-DD). */
export function removalDatePassed(deprecation: Deprecation, today: string): boolean {
  return deprecation.removalDate !== undefined && deprecation.removalDate < today;
}

export function deprecationOf(coordinate: string, reason: string | null | undefined): Deprecation | undefined {
  if (reason === null || reason === undefined) return undefined;
  return { coordinate, reason, removalDate: removalDateOf(reason) };
}

type AnyField = GraphQLField<unknown, unknown> | GraphQLInputField;

function fieldsOf(schema: GraphQLSchema, typeName: string): Record<string, AnyField> | undefined {
  const type = schema.getType(typeName);
  return isObjectType(type) || isInterfaceType(type) || isInputObjectType(type) ? type.getFields() : undefined;
}

function argsOf(field: AnyField): readonly GraphQLArgument[] {
  return 'args' in field ? field.args : [];
}

/**
 * The deprecations that cover what an inspector change path names (`Type.field`, `Type.field.arg`,
 * `Enum.VALUE`, `Input.field`): the argument's own, then its field's — removing or changing a
 * member of a deprecated field is part of removing the field.
 */
export function deprecationsAt(schema: GraphQLSchema, path: string | undefined): Deprecation[] {
  const [typeName, member, argument] = (path ?? '').split('.');
  if (!typeName || !member) return [];
  const type = schema.getType(typeName);
  if (isEnumType(type)) {
    const found = deprecationOf(`${typeName}.${member}`, type.getValue(member)?.deprecationReason);
    return found ? [found] : [];
  }
  const field = fieldsOf(schema, typeName)?.[member];
  if (!field) return [];
  const arg = argument ? argsOf(field).find((candidate) => candidate.name === argument) : undefined;
  return [
    deprecationOf(`${typeName}.${member}(${argument}:)`, arg?.deprecationReason),
    deprecationOf(`${typeName}.${member}`, field.deprecationReason),
  ].filter((found) => found !== undefined);
}

/** A field, argument, input field or enum value of a schema, with its deprecation reason if any. */
interface Member {
  coordinate: string;
  reason: string | null | undefined;
}

/** Every field, argument, input field and enum value of a schema (introspection types left out). */
function membersOf(schema: GraphQLSchema): Member[] {
  const members: Member[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isEnumType(type))
      for (const value of type.getValues()) members.push({ coordinate: `${type.name}.${value.name}`, reason: value.deprecationReason });
    for (const field of Object.values(fieldsOf(schema, type.name) ?? {})) {
      members.push({ coordinate: `${type.name}.${field.name}`, reason: field.deprecationReason });
      for (const arg of argsOf(field))
        members.push({ coordinate: `${type.name}.${field.name}(${arg.name}:)`, reason: arg.deprecationReason });
    }
  }
  return members;
}

/** The schema coordinates of everything a client can select, pass or set. */
export function coordinatesOf(schema: GraphQLSchema): Set<string> {
  return new Set(membersOf(schema).map((member) => member.coordinate));
}

/** Every deprecated element of a schema, sorted by coordinate. */
export function deprecationsIn(schema: GraphQLSchema): Deprecation[] {
  return membersOf(schema)
    .map((member) => deprecationOf(member.coordinate, member.reason))
    .filter((found) => found !== undefined)
    .sort((a, b) => compareText(a.coordinate, b.coordinate));
}

/** Code-unit order: the same on every machine and locale, so generated files do not churn. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
