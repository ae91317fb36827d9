/**
 * Scalars shared by every subschema. Each SDL declares `scalar DateTime` and wires this
 * implementation, so the stitched type is one and the same everywhere.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function toDate(value: unknown): Date {
  const date =
    value instanceof Date ? value : typeof value === 'number' || typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError('DateTime must be an ISO-8601 string, e.g. 2026-11-01T12:00:00Z', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return date;
}

export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant in time, serialized as an ISO-8601 string in UTC (e.g. `2026-11-01T12:00:00.000Z`).',
  // Resolvers may return Date objects, ISO strings, or epoch milliseconds.
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => toDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime literals are strings', { extensions: { code: 'BAD_USER_INPUT' } });
    return toDate(ast.value);
  },
});
