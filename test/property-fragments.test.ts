/**
 * Property: how a query is written — its selections in inline fragments, typed or not, in
 * named fragments, or deferred — never changes the answer; deferring changes only when the
 * parts arrive. Operations come from the fuzzer's generator over the live schema (real,
 * unknown and other systems' IDs, bad cursors, filters); the variant wraps the selections of a
 * generated choice of nested fields. Its answer (the parts of a deferred one merged as a client
 * merges them) equals the plain one: the same data and the same errors (code and path),
 * healthy and with Stripe down. Found with it: `edges { ... { __typename } }` failed with
 * INTERNAL_SERVER_ERROR and `subscriptionsConnection { ... { __typename } }` answered null.
 */
import fc from 'fast-check';
import {
  getNamedType,
  Kind,
  parse,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUTH_HEADERS } from './support/credentials.ts';
import { mergedAnswer, type Json } from './support/multipart.ts';
import { OperationGenerator } from './support/fuzz/generator.ts';
import { loadWorldValues } from './support/fuzz/world-values.ts';
import { startStack, type Stack } from './support/stack.ts';

type Wrap = 'defer' | 'inline' | 'typed' | 'named';

/**
 * Wraps the selection set of the nested fields `pick` chooses (by their order in the document):
 * in `... @defer { … }`, a bare inline fragment, one on the field's type, or a named fragment.
 */
function wrapped(schema: GraphQLSchema, query: string, how: Wrap, pick: (index: number) => boolean): { text: string; wrapped: number } {
  let index = 0;
  let count = 0;
  let depth = 0;
  const named: FragmentDefinitionNode[] = [];
  const typeInfo = new TypeInfo(schema);
  const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
  const document = visit(
    parse(query),
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter: () => void depth++,
        leave(node: FieldNode) {
          depth--;
          // Root fields stay as they are: the fragments go below them.
          if (depth === 0 || !node.selectionSet || !pick(index++)) return undefined;
          count++;
          const type = getNamedType(typeInfo.getType())!.name;
          let selection: SelectionNode;
          if (how === 'named') {
            named.push({
              kind: Kind.FRAGMENT_DEFINITION,
              name: name(`Wrapped${count}`),
              typeCondition: { kind: Kind.NAMED_TYPE, name: name(type) },
              selectionSet: node.selectionSet,
            });
            selection = { kind: Kind.FRAGMENT_SPREAD, name: name(`Wrapped${count}`) };
          } else {
            selection = {
              kind: Kind.INLINE_FRAGMENT,
              ...(how === 'typed' ? { typeCondition: { kind: Kind.NAMED_TYPE, name: name(type) } } : {}),
              directives: how === 'defer' ? [{ kind: Kind.DIRECTIVE, name: name('defer'), arguments: [] }] : [],
              selectionSet: node.selectionSet,
            };
          }
          return { ...node, selectionSet: { kind: Kind.SELECTION_SET, selections: [selection] } };
        },
      },
    }),
  );
  return { text: print({ ...document, definitions: [...document.definitions, ...named] }), wrapped: count };
}

/** The answer as a client ends up with it (a deferred one merged from its parts). */
async function answerOf(stack: Stack, query: string): Promise<{ data: unknown; errors: string[]; parts: number; status: number }> {
  const response = await stack.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed, application/graphql-response+json', ...TEST_AUTH_HEADERS },
    body: JSON.stringify({ query }),
  });
  const { parts, result } = await mergedAnswer(response);
  return {
    data: result.data,
    errors: ((result.errors ?? []) as Json[]).map((error) => `${error.extensions?.code} at ${JSON.stringify(error.path ?? null)}`).sort(),
    parts: parts.length,
    status: response.status,
  };
}

describe('property: fragments and @defer never change the answer', () => {
  let stack: Stack;
  let schema: GraphQLSchema;
  let generator: OperationGenerator;
  beforeAll(async () => {
    // Wrapping adds a directive per fragment and tokens: the limits on both are tested elsewhere.
    stack = await startStack({ world: { size: 40 }, env: { RESPONSE_CACHE: '0', LIMIT_MAX_DIRECTIVES: '500', LIMIT_MAX_TOKENS: '20000' } });
    schema = stack.gateway.yoga.getEnveloped({}).schema as GraphQLSchema;
    const values = await loadWorldValues(stack.sandbox.world, (query) => stack.query(query));
    generator = new OperationGenerator(schema, values, { maxDepth: 4 });
  });
  afterAll(async () => stack?.close());

  for (const [name, seed, outage] of [
    ['healthy', 20261208, false],
    ['with Stripe refusing connections', 20261209, true],
  ] as const) {
    it(`${name}: any generated query, with any nested selections in fragments of any kind or deferred, answers as written plainly (seed ${seed})`, async () => {
      const billing = stack.sandbox.server('billing');
      await billing.setKnobs({ outage: outage ? 'refuse' : 'none' });
      const seen = { deferredInParts: 0, fragments: 0 };
      try {
        await fc.assert(
          fc.asyncProperty(
            generator.operation(),
            fc.constantFrom<Wrap>('defer', 'inline', 'typed', 'named'),
            fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
            async (op, how, choices) => {
              const variant = wrapped(schema, op.text, how, (index) => choices[index % choices.length]);
              const plain = await answerOf(stack, op.text);
              const other = await answerOf(stack, variant.text);
              // Input the gateway refuses before executing is refused alike.
              expect(other.status).toBe(plain.status);
              expect(other.errors).toEqual(plain.errors);
              expect(other.data).toEqual(plain.data);
              if (variant.wrapped > 0 && how !== 'defer') seen.fragments++;
              if (variant.wrapped > 0 && other.parts > 1) seen.deferredInParts++;
            },
          ),
          { seed, numRuns: 120 },
        );
      } finally {
        await billing.setKnobs({ outage: 'none' });
      }
      // The property saw fragments, and answers that really came in parts.
      expect(seen.fragments).toBeGreaterThan(20);
      expect(seen.deferredInParts).toBeGreaterThan(5);
    }, 180_000);
  }
});

// Shrunk counterexamples the property found, kept as examples.
describe('found by the property', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 40 } });
  });
  afterAll(async () => stack?.close());

  it('answers fragments of only __typename under a list and under a merged object, instead of an error or a null', async () => {
    const [contact] = stack.sandbox.world.contacts;
    const edges = await stack.query<{ contacts: { edges: { __typename: string }[] } }>(
      '{ contacts(first: 2) { edges { ... { __typename } } } }',
    );
    expect(edges.errors).toBeUndefined();
    expect(edges.data!.contacts.edges).toEqual([{ __typename: 'ContactEdge' }, { __typename: 'ContactEdge' }]);
    const merged = await stack.query<{ contact: { subscriptionsConnection: { __typename: string } | null } }>(
      `{ contact(id: "${contact.id}") { subscriptionsConnection { ... on SubscriptionConnection { __typename } } } }`,
    );
    expect(merged.errors).toBeUndefined();
    expect(merged.data!.contact.subscriptionsConnection).toEqual({ __typename: 'SubscriptionConnection' });
  });
});
