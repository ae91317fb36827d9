/**
 * The field paths a zod schema reads, with what each accepts on the wire. A contract lists
 * its response fields from the very schema that validates the response, so the two cannot
 * drift: a field added to or dropped from a validator is in or out of the contract at once.
 *
 * Paths join object keys with `.` and mark an array's items with `[]`
 * (`data[].lines.data[].amount`). Unions and records are leaves: what they accept is known,
 * their inside is the vendor's to grow.
 */
import type { z } from 'zod';

/** JSON value kinds, as JSON Schema names them (`integer` is a whole `number`). */
export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';
export type Literal = string | number | boolean | null;

export interface ZodField {
  path: string;
  /** The JSON kinds the validator accepts here (`number` accepts `integer` too). */
  accepts: JsonType[];
  /** The validator accepts the field being absent (optional, nullish or defaulted). */
  optional: boolean;
  /** Only these values pass (a `z.literal` or `z.enum`). */
  values?: Literal[];
}

interface Shape {
  accepts: Set<JsonType>;
  optional: boolean;
  values?: Literal[];
  object?: Record<string, z.ZodType>;
  element?: z.ZodType;
}

/** zod 4 keeps a schema's definition on `_zod.def`; only the parts read here are typed. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
  values?: Literal[];
  entries?: Record<string, Literal>;
  checks?: { _zod: { def: { format?: string } } }[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const ANY: JsonType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

function isInt(def: Def): boolean {
  return (def.checks ?? []).some((check) => check._zod.def.format === 'safeint' || check._zod.def.format === 'int32');
}

function literalType(value: Literal): JsonType {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as 'string' | 'boolean';
}

/** What one schema node accepts, through its wrappers (optional, nullable, default, transforms). */
function shapeOf(schema: z.ZodType): Shape {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
      return { ...shapeOf(def.innerType!), optional: true };
    case 'nullable': {
      const inner = shapeOf(def.innerType!);
      return { ...inner, accepts: new Set([...inner.accepts, 'null']), values: inner.values && [...inner.values, null] };
    }
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return shapeOf(def.innerType!);
    case 'pipe':
      // The wire must satisfy the input side; the output side is ours.
      return shapeOf(def.in!);
    case 'object':
      return { accepts: new Set(['object']), optional: false, object: def.shape };
    case 'array':
      return { accepts: new Set(['array']), optional: false, element: def.element };
    case 'record':
      return { accepts: new Set(['object']), optional: false };
    case 'union': {
      const options = (def.options ?? []).map(shapeOf);
      const values = options.every((option) => option.values) ? options.flatMap((option) => option.values!) : undefined;
      return { accepts: new Set(options.flatMap((option) => [...option.accepts])), optional: options.some((o) => o.optional), values };
    }
    case 'string':
      return { accepts: new Set(['string']), optional: false };
    case 'number':
      return { accepts: new Set(isInt(def) ? ['integer'] : ['number', 'integer']), optional: false };
    case 'boolean':
      return { accepts: new Set(['boolean']), optional: false };
    case 'null':
      return { accepts: new Set(['null']), optional: false };
    case 'literal':
      return { accepts: new Set(def.values!.map(literalType)), optional: false, values: def.values };
    case 'enum': {
      const values = Object.values(def.entries ?? {});
      return { accepts: new Set(values.map(literalType)), optional: false, values };
    }
    default:
      // unknown, any, custom: nothing is required of the wire.
      return { accepts: new Set(ANY), optional: true };
  }
}

/** Every field path `schema` reads, parents before their children. */
export function zodFields(schema: z.ZodType): ZodField[] {
  const fields: ZodField[] = [];
  const visit = (node: z.ZodType, prefix: string): void => {
    const shape = shapeOf(node);
    if (shape.element) return visit(shape.element, `${prefix}[]`);
    for (const [key, child] of Object.entries(shape.object ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      const own = shapeOf(child);
      fields.push({
        path,
        accepts: [...own.accepts].sort(),
        optional: own.optional,
        ...(own.values ? { values: own.values } : {}),
      });
      visit(child, path);
    }
  };
  visit(schema, '');
  return fields;
}

/** The paths alone. */
export function zodFieldPaths(schema: z.ZodType): string[] {
  return zodFields(schema).map((field) => field.path);
}
