/**
 * Validation and normalization of written property values. HubSpot stores every value as
 * a string: numbers as decimal strings, datetimes as ISO-8601, emails lowercased; an empty
 * string clears a value. A write naming an unknown or read-only property, or a value of the
 * wrong type, is rejected as a whole with HubSpot's "Property values were not valid" error.
 */
import { type CrmObjectType, PROPERTIES, type PropertyDef } from './schema.ts';

export interface PropertyProblem {
  name: string;
  /** HubSpot's error codes: PROPERTY_DOESNT_EXIST, READ_ONLY_VALUE, INVALID_INTEGER, INVALID_EMAIL, INVALID_OPTION, INVALID_DATE, INVALID_VALUE. */
  code: string;
  message: string;
}

export interface NormalizedProperties {
  values: Record<string, string>;
  problems: PropertyProblem[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeProperties(type: CrmObjectType, input: unknown, ownerIds: ReadonlySet<string>): NormalizedProperties {
  const values: Record<string, string> = {};
  const problems: PropertyProblem[] = [];
  if (input === undefined || input === null) return { values, problems };
  if (typeof input !== 'object' || Array.isArray(input)) {
    problems.push({ name: 'properties', code: 'INVALID_VALUE', message: 'properties must be an object of property names to values' });
    return { values, problems };
  }
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    const def = PROPERTIES[type][name];
    if (!def) {
      problems.push({ name, code: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      continue;
    }
    if (def.readOnly) {
      problems.push({ name, code: 'READ_ONLY_VALUE', message: `${name} is a read only property; its value cannot be set.` });
      continue;
    }
    const result = normalizeValue(name, def, raw, ownerIds);
    if (typeof result === 'string') values[name] = result;
    else problems.push(result);
  }
  return { values, problems };
}

function normalizeValue(name: string, def: PropertyDef, raw: unknown, ownerIds: ReadonlySet<string>): string | PropertyProblem {
  if (raw === null) return '';
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    return { name, code: 'INVALID_VALUE', message: `${JSON.stringify(raw)} is not a valid value for ${name}` };
  }
  const text = String(raw).trim();
  if (text === '') return '';
  switch (def.kind) {
    case 'number': {
      const n = Number(text);
      if (!Number.isFinite(n))
        return { name, code: 'INVALID_INTEGER', message: `${JSON.stringify(text)} is not a valid number for ${name}` };
      return String(n);
    }
    case 'datetime': {
      const ms = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
      if (!Number.isFinite(ms)) return { name, code: 'INVALID_DATE', message: `${JSON.stringify(text)} is not a valid date for ${name}` };
      return new Date(ms).toISOString();
    }
    case 'email': {
      const email = text.toLowerCase();
      if (!EMAIL.test(email)) return { name, code: 'INVALID_EMAIL', message: `Email address ${text} is invalid` };
      return email;
    }
    case 'enumeration': {
      if (name === 'hubspot_owner_id') {
        if (!ownerIds.has(text))
          return { name, code: 'INVALID_OPTION', message: `${text} was not one of the allowed options: owner ids of this account` };
        return text;
      }
      if (def.options && !def.options.includes(text)) {
        return { name, code: 'INVALID_OPTION', message: `${text} was not one of the allowed options: [${def.options.join(', ')}]` };
      }
      return text;
    }
    default:
      return String(raw);
  }
}

/** HubSpot's message embeds the problem list as JSON; `errors` carries the same per property. */
export function propertyProblemsBody(problems: PropertyProblem[]) {
  const listed = problems.map((p) => ({
    isValid: false,
    message: p.message,
    error: p.code,
    name: p.name,
    localizedErrorMessage: p.message,
  }));
  return {
    message: `Property values were not valid: ${JSON.stringify(listed)}`,
    errors: problems.map((p) => ({ message: p.message, code: p.code, context: { propertyName: [p.name] } })),
  };
}
