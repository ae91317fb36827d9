/**
 * Tells callers, and operators, about every use of a deprecated field, argument, input field
 * or enum value (src/deprecation/analyze.ts finds them; each counts once per operation).
 * For each operation that uses one:
 * - `extensions.warnings` gets one DEPRECATED_FIELD entry per element (entries other plugins
 *   put there are kept);
 * - the HTTP response gets `Deprecation` (RFC 9745) and `Sunset` (RFC 8594) headers;
 * - `switchboard_deprecated_field_usage_total{field, principal, operation}` and the usage
 *   tally (Query.deprecatedFieldUsage) count it.
 *
 * Found at execution, after @skip/@include are folded (a skipped field is not used), and
 * carried on the result under a symbol, so an answer the response cache serves later — which
 * never executes — still warns, sets the headers and counts: the counting happens as each
 * result is sent, executed or not. Subscriptions are not counted (their events have no
 * response headers; a later change may count them when they subscribe).
 *
 * Adds `deprecationUsage` (the tally) to the context, for the resolver of
 * Query.deprecatedFieldUsage.
 */
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { deprecatedUses } from '../deprecation/analyze.ts';
import { deprecationHeaders, WARNING_CODE, warningOf } from '../deprecation/notice.ts';
import type { UsageTally } from '../deprecation/usage.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { Deprecation } from '../schema-contract/deprecation.ts';
import { principalOf } from './use-auth.ts';

export interface DeprecationOptions {
  tally: UsageTally;
  metrics: Pick<GatewayMetrics, 'observeDeprecatedUse'>;
  /** Epoch milliseconds (default: Date.now). */
  now?: () => number;
}

/** What one executed operation used, carried on its result (enumerable, so the response cache's copies keep it). */
const USED = Symbol('deprecatedUses');

interface Used {
  uses: readonly Deprecation[];
  operation: string;
}

type Result = { extensions?: Record<string, unknown>; [USED]?: Used };

function isSingleResult(value: unknown): value is Result {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(Symbol.asyncIterator in value);
}

/** Client-chosen names are bounded like metric labels: a plain name or `other`. */
function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  return /^\w{1,64}$/.test(name) ? name : 'other';
}

/** The result with this operation's warnings in `extensions.warnings`, replacing any it already had (a cached copy). */
function withWarnings(result: Result, used: Used): Result {
  const others = Array.isArray(result.extensions?.warnings)
    ? (result.extensions.warnings as unknown[]).filter((w) => (w as { code?: unknown } | null)?.code !== WARNING_CODE)
    : [];
  return { ...result, extensions: { ...result.extensions, warnings: [...others, ...used.uses.map(warningOf)] }, [USED]: used };
}

export function useDeprecation(options: DeprecationOptions): Plugin<{ deprecationUsage: UsageTally }> {
  const now = options.now ?? Date.now;
  const headersFor = new WeakMap<Request, Record<string, string>>();
  function count(request: Request, used: Used): void {
    const principal = principalOf(request)?.id ?? 'anonymous';
    const fields = used.uses.map((use) => use.coordinate);
    for (const field of fields) options.metrics.observeDeprecatedUse(field, principal, used.operation);
    options.tally.record(fields, principal, used.operation, now());
    headersFor.set(request, deprecationHeaders(used.uses));
  }
  return {
    onContextBuilding({ extendContext }) {
      extendContext({ deprecationUsage: options.tally });
    },
    onExecute({ args }) {
      const uses = deprecatedUses(args.schema, args.document, args.operationName, args.variableValues);
      if (uses.length === 0) return;
      const name = getOperationAST(args.document, args.operationName)?.name?.value ?? args.operationName;
      const used: Used = { uses, operation: operationLabel(name) };
      return {
        onExecuteDone({ result, setResult }) {
          if (isSingleResult(result)) {
            setResult(withWarnings(result, used) as typeof result);
            return;
          }
          // A result in parts (`@defer`): its first part warns, and it counts as it starts.
          const request = (args.contextValue as { request?: Request }).request;
          if (request) count(request, used);
          let first = true;
          return {
            onNext({ result: part, setResult: setPart }) {
              if (first && isSingleResult(part)) setPart(withWarnings(part, used) as typeof part);
              first = false;
            },
          };
        },
      };
    },
    onResultProcess({ request, result }) {
      const used = isSingleResult(result) ? result[USED] : undefined;
      if (used) count(request, used);
    },
    onResponse({ request, response }) {
      const headers = headersFor.get(request);
      if (headers) for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    },
  };
}
