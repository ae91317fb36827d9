/**
 * `Query.deprecatedFieldUsage` (schemas/deprecation.graphql): the usage tally, for operators
 * deciding whether a removal date can hold. Added to the stitched schema in src/stitching.ts;
 * the tally reaches the resolver on the context, put there by the deprecation plugin.
 */
import { readFileSync } from 'node:fs';
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { forbiddenError } from '../auth/scope-checks.ts';
import type { Principal } from '../auth/scopes.ts';
import { fromRoot } from '../paths.ts';
import { deprecationsAt } from '../schema-contract/deprecation.ts';
import { replacementOf } from './notice.ts';
import type { UsageRecord, UsageTally } from './usage.ts';

export const deprecationTypeDefs = readFileSync(fromRoot('schemas/deprecation.graphql'), 'utf8');

export const DEPRECATED_FIELD_USAGE_SCOPES = ['ops:read'];

/** What the deprecation plugin adds to every context. */
export interface DeprecationContext {
  principal?: Principal;
  deprecationUsage?: UsageTally;
}

interface UsageRow {
  field: string;
  removalAfter: string | null;
  replacement: string | null;
  principal: string;
  operationName: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
}

/** The element's deprecation as the schema states it now (a record may outlive it). */
function rowOf(schema: GraphQLSchema, record: UsageRecord): UsageRow {
  const path = record.field.replace(/\((\w+):\)$/, '.$1');
  const deprecation = deprecationsAt(schema, path).find((found) => found.coordinate === record.field);
  return {
    field: record.field,
    removalAfter: deprecation?.removalDate ?? null,
    replacement: (deprecation && replacementOf(deprecation)) ?? null,
    principal: record.principal,
    operationName: record.operation,
    count: record.count,
    firstSeen: new Date(record.firstSeen),
    lastSeen: new Date(record.lastSeen),
  };
}

export function createDeprecationResolvers(): {
  Query: {
    deprecatedFieldUsage: (parent: unknown, args: unknown, context: DeprecationContext, info: GraphQLResolveInfo) => Promise<UsageRow[]>;
  };
} {
  return {
    Query: {
      async deprecatedFieldUsage(_parent, _args, context, info) {
        // Gateway-level fields are not in any subschema, so their scopes are checked here.
        const error = forbiddenError(context.principal, 'Query.deprecatedFieldUsage', [DEPRECATED_FIELD_USAGE_SCOPES]);
        if (error) throw error;
        const records = (await context.deprecationUsage?.list()) ?? [];
        return records.map((record) => rowOf(info.schema, record));
      },
    },
  };
}
