/**
 * Abuse limits checked while the document is parsed and validated — before execution, so
 * a rejected operation makes no upstream request. graphql-armor supplies depth, alias,
 * token, directive and cost limits and strips GraphQL's "Did you mean …?" suggestions
 * (they let a caller map a schema with introspection off); introspection itself is refused
 * by a validation rule unless allowed. Limits on `first` (≤ 100) are enforced by the
 * connection resolvers, and the body size by Yoga's `maxRequestBodySize`.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { type GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { LimitsConfig } from '../config.ts';
import { refusal } from '../errors.ts';
import { usePageCost } from './use-page-cost.ts';

/**
 * armor reports "Syntax Error: …" with no code and HTTP 200; a limit is a validation
 * failure of the document, so it gets GRAPHQL_VALIDATION_FAILED and 400 like any other.
 * The token limit runs inside the parser, where there is no validation context to report to.
 */
function reject(context: ValidationContext | null, error: GraphQLError): void {
  const limitError = refusal('GRAPHQL_VALIDATION_FAILED', error.message.replace(/^Syntax Error: /, ''));
  if (!context) throw limitError;
  context.reportError(limitError);
}

export function useLimits(limits: LimitsConfig): Plugin[] {
  const callbacks = { propagateOnRejection: false, onReject: [reject] };
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...callbacks },
    maxAliases: { n: limits.maxAliases, allowList: [], ...callbacks },
    maxTokens: { n: limits.maxTokens, ...callbacks },
    maxDirectives: { n: limits.maxDirectives, ...callbacks },
    costLimit: { maxCost: limits.maxCost, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, ignoreIntrospection: true, ...callbacks },
    blockFieldSuggestion: { enabled: true },
  }) as Plugin;
  // armor counts `first` only where it is written as a number; this counts it as the field will get it.
  const plugins: Plugin[] = [armor, usePageCost(limits.maxCost)];
  if (!limits.allowIntrospection) {
    plugins.push({
      onValidate({ addValidationRule }) {
        addValidationRule(NoSchemaIntrospectionCustomRule);
      },
    });
  }
  return plugins;
}
