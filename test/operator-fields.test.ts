/**
 * The operators' root fields refuse a whole request from a key without `ops:read` (HTTP 403,
 * no data, nothing executed), however the operation reaches them: directly, aliased, in
 * inline or named fragments, beside fields the key may read. Property test over generated
 * operations and keys (seeded, shrinking), checked against the answer and the sandbox's
 * request counts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { TEST_API_KEY, TEST_API_KEYS_ENV } from './support/credentials.ts';
import { NO_CACHE_ENV, startStack, type Stack } from './support/stack.ts';

const KEYS = {
  everything: { key: TEST_API_KEY, ops: true, crm: true },
  crmOnly: { key: 'sbk_operator-fields-crm-reader-not-a-secret', ops: false, crm: true },
  opsOnly: { key: 'sbk_operator-fields-ops-reader-not-a-secret', ops: true, crm: false },
} as const;

/** A root selection: its text, whether it is an operator field, whether it reads the CRM. */
const FIELDS = [
  { text: 'integrationHealth { generatedAt }', operator: true, crm: false },
  { text: 'deprecatedFieldUsage { field }', operator: true, crm: false },
  { text: 'contacts(first: 1) { nodes { id } }', operator: false, crm: true },
  { text: '__typename', operator: false, crm: false },
];

type Placement = 'direct' | 'inline' | 'named';
const selection = fc.record({
  field: fc.constantFrom(...FIELDS),
  alias: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
  placement: fc.constantFrom<Placement>('direct', 'inline', 'named'),
});

function operation(parts: { field: (typeof FIELDS)[number]; alias?: string; placement: Placement }[]): string {
  const fragments: string[] = [];
  const root = parts.map((part, i) => {
    // An alias per position keeps two selections of one field with different arguments from conflicting.
    const text = `${part.alias ?? 'f'}${i}: ${part.field.text}`;
    if (part.placement === 'inline') return `... on Query { ${text} }`;
    if (part.placement === 'named') {
      fragments.push(`fragment F${i} on Query { ${text} }`);
      return `...F${i}`;
    }
    return text;
  });
  return [`query Generated { ${root.join(' ')} }`, ...fragments].join(' ');
}

describe('operator fields: 403 for a key without ops:read, whatever the operation', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      world: { size: 20 },
      env: {
        ...NO_CACHE_ENV,
        SWITCHBOARD_API_KEYS: [
          TEST_API_KEYS_ENV,
          apiKeyConfigEntry('crm-reader', KEYS.crmOnly.key, ['crm:read']),
          apiKeyConfigEntry('ops-reader', KEYS.opsOnly.key, ['ops:read']),
        ].join(','),
      },
    });
  });
  afterAll(async () => stack?.close());

  it('property: refused whole exactly when an operator field is selected without the scope (seed 20261207)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(selection, { minLength: 1, maxLength: 4 }), fc.constantFrom(...Object.values(KEYS)), async (parts, who) => {
        stack.resetCounts();
        const answer = await stack.query(operation(parts), undefined, { authorization: `Bearer ${who.key}` });
        const refused = !who.ops && parts.some((p) => p.field.operator);
        if (refused) {
          expect(answer.status).toBe(403);
          expect(answer.data ?? null).toBeNull();
          expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
          expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
          return;
        }
        expect(answer.status).toBe(200);
        expect(answer.data).toBeTruthy();
        parts.forEach((part, i) => {
          const value = (answer.data as Record<string, unknown>)[`${part.alias ?? 'f'}${i}`];
          // What the key may read is there; a CRM field without crm:read is null with FORBIDDEN at its path, as everywhere.
          if (part.field.operator || who.crm || !part.field.crm) expect(value).not.toBeNull();
          else expect(value).toBeNull();
        });
        if (!who.crm || !parts.some((p) => p.field.crm)) expect(stack.counts().crm).toBe(0);
      }),
      { seed: 20261207, numRuns: 80 },
    );
  });
});
