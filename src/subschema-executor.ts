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
 */
import { createDefaultExecutor, type SubschemaConfig } from '@graphql-tools/delegate';
import { type DocumentNode, getOperationAST, type GraphQLSchema, print } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

type Executor = NonNullable<SubschemaConfig['executor']>;

/** Distinct delegated documents kept compiled per subschema. */
const MAX_COMPILED = 500;

export function createSubschemaExecutor(schema: GraphQLSchema): Executor {
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
  const execute = (request: Parameters<Executor>[0]) => {
    const { operationName } = request;
    const document: DocumentNode = request.document;
    if (getOperationAST(document, operationName)?.operation !== 'query') return fallback(request);
    const query = compiledFor(`${operationName ?? ''}\n${print(document)}`, () => {
      const result = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
      return isCompiledQuery(result) ? result : null;
    });
    if (!query) return fallback(request);
    return query.query(request.rootValue, request.context, request.variables);
  };
  return execute as Executor;
}
