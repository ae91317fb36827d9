/**
 * Property-based: operations generated from the live schema (any mix of root fields,
 * nested links, real and unknown and foreign IDs, bad cursors, out-of-range `first`,
 * enums, filters) against the gateway over real HTTP, with the sandbox healthy and with
 * each chaos knob on each system in turn. Invariants (test/support/fuzz/invariants.ts): no
 * INTERNAL_SERVER_ERROR; every error has a documented code and a path that exists in the
 * response; every field of a healthy system is present, as the healthy gateway answers it.
 *
 * Seeded: FUZZ_SEED=<n> replays a run (phase i uses n + i); a failure prints the seed,
 * fast-check's path and the shrunk query. `npm run fuzz` runs the same property at length.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BatchSize, FuzzHarness, HANG_DEADLINE_MS, PHASES } from './support/fuzz/harness.ts';
import { assertPhase, formatFinding } from './support/fuzz/runner.ts';
import { startStack, type Stack } from './support/stack.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
/**
 * Batches of 3-5 operations sent together (runs wait mostly on retries' backoff and, under a
 * hang, on the short deadline, so a batch costs little more than one operation): about 350
 * operations with the default seed; the last test checks that at least 300 ran.
 */
const PLAN: Record<'default' | 'hang', { numRuns: number; size: BatchSize }> = {
  default: { numRuns: 8, size: { min: 3, max: 5 } },
  hang: { numRuns: 4, size: { min: 3, max: 5 } },
};

describe('property: errors stay at their own field, with a documented code and exact path, under any one failing system', () => {
  let harness: FuzzHarness;
  let operations = 0;
  beforeAll(async () => {
    harness = await FuzzHarness.start();
  });
  const summary: string[] = [];
  afterAll(async () => {
    await harness?.close();
    console.log(`property (FUZZ_SEED=${SEED}): ${operations} operations\n${summary.join('\n')}`);
  });

  PHASES.forEach((phase, index) => {
    const plan = phase.knob === 'hang' ? PLAN.hang : PLAN.default;
    it(
      `${phase.name}: generated operations keep every invariant (seed ${SEED + index})`,
      async () => {
        const { stats, finding } = await assertPhase(harness, phase, { ...plan, seed: SEED + index, shrinkMs: 15_000 });
        operations += stats.operations;
        const outcome = finding ? `, violation: ${finding.kind}` : '';
        const took = `${(stats.ms / 1000).toFixed(1)} s`;
        summary.push(`  ${phase.name.padEnd(16)} seed ${stats.seed}: ${stats.operations} operations in ${took}${outcome}`);
        if (finding) expect.fail(`\n${formatFinding(finding)}\n(FUZZ_SEED=${SEED} replays this run)`);
        expect(stats.operations).toBeGreaterThanOrEqual(plan.numRuns * plan.size.min);
      },
      90_000 + plan.numRuns * (HANG_DEADLINE_MS + 5_000),
    );
  });

  it('ran at least 300 generated operations across the phases', () => {
    expect(operations).toBeGreaterThanOrEqual(300);
  });
});

// Shrunk counterexamples the property found, kept as examples.
describe('found by the property', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 20 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  // `GET /v1/customers/` is Stripe's list of customers, `/v1/customers/.` normalizes to it,
  // `/v1/customers/search` is its search: none of them answers with a customer.
  for (const id of ['', '.', 'search']) {
    it(`billing reads by ID answer NOT_FOUND for ${JSON.stringify(id)} without calling Stripe`, async () => {
      stack.resetCounts();
      const fields = ['customer', 'invoice', 'subscription', 'charge'];
      const result = await stack.query(`{ ${fields.map((f) => `${f}(id: ${JSON.stringify(id)}) { id }`).join(' ')} }`);
      expect(result.data).toEqual(Object.fromEntries(fields.map((f) => [f, null])));
      expect(result.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.service]).sort()).toEqual(
        fields.map((f) => [[f], 'NOT_FOUND', 'billing']).sort(),
      );
      expect(stack.counts().billing).toBe(0);
    });
  }

  // The client's @skip/@include on a field that is also a merge key must not take the key
  // away from the merge (fuzz finding F8: INTERNAL_SERVER_ERROR, "$keys … id … was not provided").
  const conditionalKeys = [
    '{ contactByEmail(email: "EMAIL") { id @skip(if: true) subscriptions { id } } }',
    '{ contact(id: "ID") { id @skip(if: true) billingCustomer { id } } }',
    '{ contact(id: "ID") { id @include(if: false) email invoices { id } } }',
  ];
  for (const template of conditionalKeys) {
    it(`a merge key under @skip/@include still links the systems: ${template}`, async () => {
      const contact = stack.sandbox.world.contacts[0];
      const text = template.replace('EMAIL', contact.email).replace('ID', contact.id);
      const result = await stack.query<Record<string, Record<string, unknown>>>(text);
      // The same answer as without the condition, less the skipped key.
      const plain = await stack.query<Record<string, Record<string, unknown>>>(text.replace(/ @(skip|include)\(if: (true|false)\)/, ''));
      expect(plain.errors).toBeUndefined();
      const [field, { id: _id, ...rest }] = Object.entries(plain.data!)[0];
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ [field]: rest });
    });
  }
});
