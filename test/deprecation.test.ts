/**
 * Deprecation at run time, through the whole gateway over HTTP: Deal.value replaces the
 * deprecated Deal.amount, and every operation that still uses a deprecated field is warned
 * (extensions.warnings), flagged on HTTP (Deprecation, Sunset) and counted — in Prometheus
 * and in Query.deprecatedFieldUsage — once per operation.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { buildSchema, parse } from 'graphql';
import { deprecatedUses } from '../src/deprecation/analyze.ts';
import { replacementOf } from '../src/deprecation/notice.ts';
import { DEPRECATED_ON } from '../src/schema-contract/announced.ts';
import { deprecationsIn } from '../src/schema-contract/deprecation.ts';
import { buildGatewaySchema } from '../src/stitching.ts';
import { randomUUID } from 'node:crypto';
import { TEST_API_KEYS_ENV } from './support/credentials.ts';
import { hasService } from './support/services.ts';
import { startStack, type GraphQLResponse, type Stack } from './support/stack.ts';

const CRM_ONLY = 'sbk_deprecation-test-crm-only';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const PRINCIPAL = 'api-key:test-suite';

// The seed gives deals currencies by position (sandbox/src/crm/seed.ts): the 1st none, the 2nd
// USD, the 4th EUR, the 12th JPY, the 16th KWD.
const NO_CURRENCY = '30000001';
const USD = '30000002';
const EUR = '30000004';
const JPY = '30000012';
const KWD = '30000016';

/** Wed, 7 Dec 2026 00:00 UTC, when Deal.amount was deprecated; removal after 2027-03-08. */
const DEPRECATION = `@${Date.UTC(2026, 11, 7) / 1000}`;
const SUNSET = 'Tue, 09 Mar 2027 00:00:00 GMT';

interface Money {
  amount: number;
  currency: string;
  formatted: string;
}
interface Warning {
  code: string;
  field: string;
  message: string;
  replacement?: string;
  removalAfter?: string;
}
interface UsageRow {
  field: string;
  removalAfter: string | null;
  replacement: string | null;
  principal: string;
  operationName: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    world: { size: 50 },
    env: { SWITCHBOARD_API_KEYS: [TEST_API_KEYS_ENV, apiKeyConfigEntry('crm-only', CRM_ONLY, ['crm:read'])].join(',') },
  });
});
afterAll(async () => {
  await stack?.close();
});

const warningsOf = (response: GraphQLResponse<unknown>) => (response.extensions?.warnings ?? []) as Warning[];

async function usage(): Promise<UsageRow[]> {
  const result = await stack.query<{ deprecatedFieldUsage: UsageRow[] }>(
    `{ deprecatedFieldUsage { field removalAfter replacement principal operationName count firstSeen lastSeen } }`,
  );
  expect(result.errors).toBeUndefined();
  return result.data!.deprecatedFieldUsage;
}

async function usageCount(operationName: string): Promise<number> {
  const rows = await usage();
  return rows.find((row) => row.field === 'Deal.amount' && row.principal === PRINCIPAL && row.operationName === operationName)?.count ?? 0;
}

async function metricCount(operationName: string): Promise<number> {
  const text = await (await stack.fetch('/metrics')).text();
  const line = text
    .split('\n')
    .find((l) =>
      l.startsWith(`switchboard_deprecated_field_usage_total{field="Deal.amount",principal="${PRINCIPAL}",operation="${operationName}"}`),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** A deal made "in HubSpot's UI" (the sandbox's admin API): a fresh id, so no cache has it. */
async function newDeal(properties: Record<string, string>): Promise<string> {
  const response = await fetch(`${stack.sandbox.urls.crm}/__sandbox/edit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ objectType: 'deals', action: 'create', properties: { dealname: 'Deprecation test', ...properties } }),
  });
  const body = (await response.json()) as { object: { id: string } };
  expect(response.status).toBe(200);
  return body.object.id;
}

async function valueOf(id: string, headers?: Record<string, string>): Promise<Money | null> {
  const result = await stack.query<{ deal: { value: Money | null } }>(
    `query DealValue($id: ID!) { deal(id: $id) { value { amount currency formatted } } }`,
    { id },
    headers,
  );
  expect(result.errors).toBeUndefined();
  return result.data!.deal.value;
}

describe('Deal.value', () => {
  it("reads a USD deal's amount in cents, with its currency, for a CRM-only key", async () => {
    const major = stack.sandbox.world.deals.find((d) => d.id === USD)!.amount;
    expect(await valueOf(USD, bearer(CRM_ONLY))).toEqual({
      amount: major * 100,
      currency: 'usd',
      formatted: `$${major.toLocaleString('en-US')}.00`,
    });
  });

  it("reads a deal in another currency in that currency's minor units (0 decimals for JPY, 3 for KWD)", async () => {
    const majorOf = (id: string) => stack.sandbox.world.deals.find((d) => d.id === id)!.amount;
    expect(await valueOf(EUR, bearer(CRM_ONLY))).toMatchObject({ amount: majorOf(EUR) * 100, currency: 'eur' });
    expect(await valueOf(JPY, bearer(CRM_ONLY))).toMatchObject({ amount: majorOf(JPY), currency: 'jpy' });
    expect(await valueOf(KWD, bearer(CRM_ONLY))).toMatchObject({ amount: majorOf(KWD) * 1000, currency: 'kwd' });
  });

  it("reads a deal without a currency in the portal's (usd)", async () => {
    const major = stack.sandbox.world.deals.find((d) => d.id === NO_CURRENCY)!.amount;
    expect(await valueOf(NO_CURRENCY, bearer(CRM_ONLY))).toMatchObject({ amount: major * 100, currency: 'usd' });
  });

  it('converts decimal amounts exactly, with no float drift, rounding digits past the minor unit half away from zero', async () => {
    const cases: [Record<string, string>, Partial<Money>][] = [
      [{ amount: '0.29' }, { amount: 29, currency: 'usd', formatted: '$0.29' }], // 0.29 * 100 is 28.999… in floats
      [
        { amount: '1.005', deal_currency_code: 'USD' },
        { amount: 101, currency: 'usd' },
      ], // 1.005 * 100 rounds to 100 in floats
      [
        { amount: '1234.565', deal_currency_code: 'EUR' },
        { amount: 123457, currency: 'eur' },
      ],
      [
        { amount: '12.3456', deal_currency_code: 'KWD' },
        { amount: 12346, currency: 'kwd' },
      ],
      [
        { amount: '1500.5', deal_currency_code: 'JPY' },
        { amount: 1501, currency: 'jpy', formatted: '¥1,501' },
      ],
    ];
    for (const [properties, expected] of cases) expect(await valueOf(await newDeal(properties))).toMatchObject(expected);
  });

  it('is null when the deal has no amount', async () => {
    expect(await valueOf(await newDeal({ deal_currency_code: 'EUR' }))).toBeNull();
  });
});

describe('an operation using a deprecated field', () => {
  it('gets the Deprecation and Sunset headers and a DEPRECATED_FIELD warning naming the replacement', async () => {
    const result = await stack.query(`query AmountOnce { deal(id: "${USD}") { id amount } }`);
    expect(result.errors).toBeUndefined();
    expect(result.headers.get('deprecation')).toBe(DEPRECATION);
    expect(result.headers.get('sunset')).toBe(SUNSET);
    expect(warningsOf(result)).toEqual([
      {
        code: 'DEPRECATED_FIELD',
        field: 'Deal.amount',
        message: "Deal.amount is deprecated: Use `value`, which carries the deal's currency. Removal after 2027-03-08.",
        replacement: 'Deal.value',
        removalAfter: '2027-03-08',
      },
    ]);
  });

  it('is counted once per operation, in /metrics and in Query.deprecatedFieldUsage, answers from the response cache included', async () => {
    const [countBefore, metricBefore] = [await usageCount('AmountCounted'), await metricCount('AmountCounted')];
    const startedAt = Date.now();
    // Three identical operations (the second and third are response-cache hits), each selecting amount twice.
    for (let i = 0; i < 3; i++) {
      const result = await stack.query(`query AmountCounted { deal(id: "${USD}") { amount again: amount } }`);
      expect(result.headers.get('deprecation')).toBe(DEPRECATION);
      expect(warningsOf(result)).toHaveLength(1);
    }
    expect((await usageCount('AmountCounted')) - countBefore).toBe(3);
    expect((await metricCount('AmountCounted')) - metricBefore).toBe(3);
    const row = (await usage()).find((r) => r.operationName === 'AmountCounted')!;
    expect(row).toMatchObject({ field: 'Deal.amount', principal: PRINCIPAL, removalAfter: '2027-03-08', replacement: 'Deal.value' });
    expect(Date.parse(row.lastSeen)).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000);
    expect(Date.parse(row.firstSeen)).toBeLessThanOrEqual(Date.parse(row.lastSeen));
  });

  it('counts anonymous operations under `anonymous`', async () => {
    const before = await usageCount('anonymous');
    await stack.query(`{ deals(first: 1) { nodes { amount } } }`);
    expect((await usageCount('anonymous')) - before).toBe(1);
  });

  it('gets neither header nor warning when it uses nothing deprecated', async () => {
    const result = await stack.query(`query ValueOnly { deal(id: "${USD}") { id value { amount } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.headers.get('deprecation')).toBeNull();
    expect(result.headers.get('sunset')).toBeNull();
    expect(result.extensions?.warnings).toBeUndefined();
  });

  it('keeps the opt-in trace beside the warnings', async () => {
    const result = await stack.query(`query Traced { deal(id: "${USD}") { amount } }`, undefined, { 'x-switchboard-trace': '1' });
    expect(result.extensions?.trace).toBeDefined();
    expect(warningsOf(result).map((w) => w.field)).toEqual(['Deal.amount']);
  });
});

describe('Query.deprecatedFieldUsage', () => {
  it('is refused with HTTP 403 FORBIDDEN, showing nothing, to a key without ops:read', async () => {
    await stack.query(`query SeenByOps { deal(id: "${USD}") { amount } }`);
    const result = await stack.query(`{ deprecatedFieldUsage { field principal count } }`, undefined, bearer(CRM_ONLY));
    expect(result.status).toBe(403);
    expect(result.data ?? null).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({ extensions: { code: 'FORBIDDEN', requiredScopes: ['ops:read'] } });
  });

  it('is sorted by field, principal and operation name', async () => {
    const rows = await usage();
    const keys = rows.map((r) => [r.field, r.principal, r.operationName].join('\u0000'));
    expect(keys).toEqual([...keys].sort());
  });

  it('has a recorded announcement day for every deprecation in the schema (the Deprecation header needs it)', () => {
    const missing = deprecationsIn(buildGatewaySchema()).filter((d) => DEPRECATED_ON[d.coordinate] === undefined);
    expect(missing.map((d) => d.coordinate)).toEqual([]);
  });
});

const DEAL_FIELDS = ['id', 'name', 'amount', 'stage', 'stageRaw', 'pipeline', 'closeDate', 'value { amount currency }'] as const;

describe('property: warned and counted exactly when amount is selected', () => {
  it('any fields of Deal, repeated or not, aliased or not, directly, in named or inline fragments', async () => {
    const item = fc.record({
      field: fc.constantFrom(...DEAL_FIELDS),
      aliased: fc.boolean(),
      wrap: fc.constantFrom('direct' as const, 'fragment' as const, 'inline' as const),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 8 }), async (items) => {
        const fragments: string[] = [];
        const body = items
          .map(({ field, aliased, wrap }, i) => {
            const selected = aliased ? `a${i}: ${field}` : field;
            if (wrap === 'inline') return `... on Deal { ${selected} }`;
            if (wrap === 'direct') return selected;
            fragments.push(`fragment F${i} on Deal { ${selected} }`);
            return `...F${i}`;
          })
          .join(' ');
        const usesAmount = items.some((i) => i.field === 'amount');

        const before = await usageCount('DealFieldsProperty');
        const result = await stack.query(`query DealFieldsProperty { deal(id: "${EUR}") { ${body} } } ${fragments.join(' ')}`);
        expect(result.errors).toBeUndefined();
        expect(result.headers.get('deprecation')).toBe(usesAmount ? DEPRECATION : null);
        expect(result.headers.get('sunset')).toBe(usesAmount ? SUNSET : null);
        expect(warningsOf(result).map((w) => w.field)).toEqual(usesAmount ? ['Deal.amount'] : []);
        expect((await usageCount('DealFieldsProperty')) - before).toBe(usesAmount ? 1 : 0);
      }),
      { seed: 20261207, numRuns: 60 },
    );
  }, 120_000);
});

describe.runIf(hasService('redis'))('the usage tally shared through Redis', () => {
  const replicas: Stack[] = [];
  beforeAll(async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379' };
    const cacheNamespace = `test-${randomUUID()}`;
    replicas.push(await startStack({ world: { size: 50 }, env, cacheNamespace }));
    replicas.push(await startStack({ sandbox: replicas[0].sandbox, env, cacheNamespace }));
  });
  afterAll(async () => {
    for (const replica of replicas.reverse()) await replica.close();
  });

  it("counts every replica's operations, and either replica reports the deployment's total", async () => {
    const [a, b] = replicas;
    await a.query(`query AcrossReplicas { deal(id: "${USD}") { amount } }`);
    await b.query(`query AcrossReplicas { deal(id: "${USD}") { amount } }`);
    await b.query(`query AcrossReplicas { deal(id: "${EUR}") { amount } }`);
    for (const replica of [a, b]) {
      const result = await replica.query<{ deprecatedFieldUsage: UsageRow[] }>(
        `{ deprecatedFieldUsage { field principal operationName count } }`,
      );
      expect(result.data!.deprecatedFieldUsage).toEqual([
        { field: 'Deal.amount', principal: PRINCIPAL, operationName: 'AcrossReplicas', count: 3 },
      ]);
    }
  });
});

// The gateway's schema deprecates no argument, input field or enum value yet: these run the
// analysis on a schema that does, without HTTP.
describe('deprecated arguments, input fields and enum values', () => {
  const schema = buildSchema(`
    enum Stage { OPEN WON LOST @deprecated(reason: "Use \`WON\`. Removal after 2027-01-01.") }
    input Filter { stage: Stage, state: String @deprecated(reason: "Use \`stage\`. Removal after 2027-02-01.") }
    type Query { deals(filter: Filter, stage: Stage, legacy: Boolean @deprecated(reason: "Removal after 2027-04-01.")): Int }
  `);
  const uses = (source: string, variables?: Record<string, unknown>, operationName?: string) =>
    deprecatedUses(schema, parse(source), operationName, variables).map((use) => use.coordinate);

  it('finds literals: an argument, an input field and an enum value, also in a default value', () => {
    expect(uses('{ deals(legacy: true, filter: { state: "x", stage: LOST }) }')).toEqual([
      'Filter.state',
      'Query.deals(legacy:)',
      'Stage.LOST',
    ]);
    expect(uses('query Q($s: Stage = LOST) { deals(stage: $s) }')).toEqual(['Stage.LOST']);
    expect(uses('{ deals(stage: WON) }')).toEqual([]);
  });

  it('finds enum values and input fields in variables, nested in lists and input objects', () => {
    const source = 'query Q($s: Stage, $f: Filter) { a: deals(stage: $s) b: deals(filter: $f) }';
    expect(uses(source, { s: 'LOST' })).toEqual(['Stage.LOST']);
    expect(uses(source, { f: { stage: 'LOST', state: 'x' } })).toEqual(['Filter.state', 'Stage.LOST']);
    expect(uses(source, { s: 'OPEN', f: { stage: 'WON' } })).toEqual([]);
  });

  it('counts only the operation that runs, with the fragments it reaches', () => {
    const source = 'query A { deals(legacy: true) } query B { ...F } fragment F on Query { deals(stage: LOST) }';
    expect(uses(source, undefined, 'A')).toEqual(['Query.deals(legacy:)']);
    expect(uses(source, undefined, 'B')).toEqual(['Stage.LOST']);
  });

  it('names a sibling as the replacement, of the type or the enum', () => {
    expect(replacementOf({ coordinate: 'Stage.LOST', reason: 'Use `WON`. Removal after 2027-01-01.' })).toBe('Stage.WON');
    expect(replacementOf({ coordinate: 'Deal.amount', reason: 'Use `Deal.value`.' })).toBe('Deal.value');
    expect(replacementOf({ coordinate: 'Query.deals(legacy:)', reason: 'Removal after 2027-04-01.' })).toBeUndefined();
  });
});
