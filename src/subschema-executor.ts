/**
 * How the gateway runs what stitching delegates to a subschema. The subschemas live in
 * this process, so a delegated request is executed, not sent; graphql-js's executor walks
 * the document anew for every object of every request, and that walk was the largest
 * part of an executed request's CPU. graphql-jit compiles each delegated document once
 * into a function that resolves it directly, with the same resolvers, errors and paths.
 *
 * Stitching builds the delegated documents per request, but their shape depends only on
 * the client's selection, and batched merges pass their keys as variables; so compiled
 * queries are kept by the document's printed text (a bounded number, least recently used
 * dropped first). Subscriptions, mutations (whose root fields run in order) and anything
 * graphql-jit cannot compile take graphql-js's executor.
 *
 * Stitching also merges the root fields a client asked of one system (and the merge entry
 * points of one level) into one delegated query. When that query fails as a whole — no
 * data at all, e.g. a variable one field's arguments could not coerce — each root field is
 * run again on its own, so the failure stays with the field it belongs to and its siblings
 * answer (the loaders of the request remember what the first run fetched).
 */
import { createDefaultExecutor, type SubschemaConfig } from '@graphql-tools/delegate';
import { isPromise, relocatedError } from '@graphql-tools/utils';
import {
  type DefinitionNode,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  getOperationAST,
  type GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
  type SelectionNode,
  visit,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { context } from '@opentelemetry/api';
import { ATTR, failSpan, SPAN, SpanStatusCode, startSpan } from './observability/spans.ts';

type Executor = NonNullable<SubschemaConfig['executor']>;

/** Distinct delegated documents kept compiled per subschema. */
const MAX_COMPILED = 500;

/** `system` names the subschema in traces: each delegated request runs in a `graphql.delegate` span. */
export function createSubschemaExecutor(schema: GraphQLSchema, system = 'subschema'): Executor {
  const fallback: Executor = createDefaultExecutor(schema);
  const compiled = new Map<string, CompiledQuery | null>();

  function compiledFor(key: string, compile: () => CompiledQuery | null): CompiledQuery | null {
    let entry = compiled.get(key);
    if (entry === undefined) {
      entry = compile();
      if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    } else {
      compiled.delete(key);
    }
    compiled.set(key, entry);
    return entry;
  }

  // Not generic like Executor: the results are whatever the subschema's resolvers give.
  const run = (request: Request) => {
    const { operationName } = request;
    const document: DocumentNode = request.document;
    const printed = print(document);
    const query = compiledFor(`${operationName ?? ''}\n${printed}`, () => {
      // graphql-jit writes its @skip/@include bookkeeping onto the field nodes it compiles
      // (`__internalShouldInclude`), and stitching shares field nodes between delegated
      // documents (the client's selections, the merge keys' selection sets): compiled as they
      // are, one document's `@skip(if: true)` would leak into others and drop their fields,
      // merge keys included. Each compiled query gets nodes of its own.
      const result = compileQuery(schema, parse(printed), operationName, { disablingCapturingStackErrors: true });
      return isCompiledQuery(result) ? result : null;
    });
    if (!query) return fallback(request);
    return query.query(request.rootValue, request.context, request.variables);
  };

  const traced = (request: Request) => {
    const started = startSpan(SPAN.delegate);
    if (!started) return execute(request);
    const { span } = started;
    if (span.isRecording()) span.setAttribute(ATTR.system, system);
    const settle = (value: unknown) => {
      if (span.isRecording() && failedWhole(value)) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      return value;
    };
    const fail = (error: unknown) => {
      failSpan(span, error);
      span.end();
      throw error;
    };
    try {
      const result = context.with(started.context, () => execute(request));
      return isPromise(result) ? Promise.resolve(result).then(settle, fail) : settle(result);
    } catch (error) {
      return fail(error);
    }
  };

  const execute = (request: Request) => {
    const operation = getOperationAST(request.document, request.operationName);
    if (operation?.operation !== 'query') return fallback(request);
    const result = run(request);
    const settle = (value: unknown) =>
      failedWhole(value) && operation.selectionSet.selections.length > 1 ? runEach(request, operation) : value;
    return isPromise(result) ? Promise.resolve(result).then(settle) : settle(result);
  };

  async function runEach(request: Request, operation: OperationDefinitionNode): Promise<ExecutionResult> {
    const results = await Promise.all(
      splitRootFields(request.document, operation).map(async ({ key, document }) => ({
        key,
        result: (await run({ ...request, document })) as ExecutionResult,
      })),
    );
    const data: Record<string, unknown> = {};
    const errors: GraphQLError[] = [];
    for (const { key, result } of results) {
      if (result.data) Object.assign(data, result.data);
      else if (key) data[key] = null;
      // An error of the whole single-field request belongs to that field: without a path,
      // batch-execute would hand it to every sibling again.
      for (const error of result.errors ?? []) errors.push(error.path || !key ? error : relocatedError(error, [key]));
    }
    return errors.length > 0 ? { data, errors } : { data };
  }
  return traced as Executor;
}

type Request = Parameters<Executor>[0];

function failedWhole(value: unknown): boolean {
  const result = value as ExecutionResult | null | undefined;
  return !!result && typeof result === 'object' && result.data == null && !!result.errors?.length;
}

/** One document per root selection, each with only the variables and fragments it uses. */
function splitRootFields(document: DocumentNode, operation: OperationDefinitionNode): { key: string; document: DocumentNode }[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  return operation.selectionSet.selections.map((selection) => {
    const variables = new Set<string>();
    const used = new Map<string, FragmentDefinitionNode>();
    const collect = (node: SelectionNode | FragmentDefinitionNode) => {
      visit(node, {
        Variable: (variable) => {
          variables.add(variable.name.value);
        },
        FragmentSpread: (spread) => {
          const fragment = fragments.get(spread.name.value);
          if (fragment && !used.has(fragment.name.value)) {
            used.set(fragment.name.value, fragment);
            collect(fragment);
          }
        },
      });
    };
    collect(selection);
    const single: OperationDefinitionNode = {
      ...operation,
      variableDefinitions: operation.variableDefinitions?.filter((definition) => variables.has(definition.variable.name.value)),
      selectionSet: { ...operation.selectionSet, selections: [selection] },
    };
    const key = selection.kind === Kind.FIELD ? (selection.alias ?? selection.name).value : '';
    return { key, document: { kind: Kind.DOCUMENT, definitions: [single as DefinitionNode, ...used.values()] } };
  });
}
