/**
 * Property: the cost limit cannot be dodged by how a page size is written. Any generated query
 * (the fuzzer's generator over the live schema), with every `first` it writes as a number
 * turned into a variable carrying that number, is refused exactly when the written one is, and
 * otherwise answers the same. graphql-armor counted a `first: $n` as one item.
 */
import fc from 'fast-check';
import type { GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationGenerator } from './support/fuzz/generator.ts';
import { loadWorldValues } from './support/fuzz/world-values.ts';
import { startStack, type Stack } from './support/stack.ts';

/** The query with each `first: <number>` as a variable of that value. */
function withPageVariables(query: string): { query: string; variables: Record<string, number> } {
  const variables: Record<string, number> = {};
  const body = query.replace(/\bfirst: (-?\d+)/g, (_match, digits: string) => {
    const name = `p${Object.keys(variables).length}`;
    variables[name] = Number(digits);
    return `first: $${name}`;
  });
  const names = Object.keys(variables);
  return { query: names.length > 0 ? `query (${names.map((name) => `$${name}: Int`).join(', ')}) ${body}` : body, variables };
}

describe('property: the cost limit counts pages however their size is written', () => {
  let stack: Stack;
  let generator: OperationGenerator;
  beforeAll(async () => {
    // A low limit, so that many generated queries cross it.
    stack = await startStack({ world: { size: 40 }, env: { RESPONSE_CACHE: '0', LIMIT_MAX_COST: '4000' } });
    const schema = stack.gateway.yoga.getEnveloped({}).schema as GraphQLSchema;
    const values = await loadWorldValues(stack.sandbox.world, (query) => stack.query(query));
    generator = new OperationGenerator(schema, values);
  });
  afterAll(async () => stack?.close());

  it('any generated query with its page sizes as variables is refused exactly when written out (seed 20261208)', async () => {
    const seen = { refused: 0, answered: 0 };
    await fc.assert(
      fc.asyncProperty(generator.operation(), async (op) => {
        const variant = withPageVariables(op.text);
        // Sizes outside Int's range are a different refusal as a variable (its coercion) than as a literal.
        fc.pre(Object.values(variant.variables).every((size) => Math.abs(size) <= 2 ** 31 - 1));
        const written = await stack.query(op.text);
        const asVariables = await stack.query(variant.query, variant.variables);
        const costRefused = (answer: typeof written) => answer.errors?.some((error) => /Cost limit/.test(error.message)) ?? false;
        expect(costRefused(asVariables)).toBe(costRefused(written));
        if (costRefused(written)) seen.refused++;
        else {
          seen.answered++;
          expect(asVariables.data).toEqual(written.data);
        }
      }),
      { seed: 20261208, numRuns: 150 },
    );
    // Both sides of the limit were seen (the counts are those of this seed).
    expect(seen.refused).toBeGreaterThanOrEqual(3);
    expect(seen.answered).toBeGreaterThan(50);
  }, 120_000);
});
