/**
 * The public schema as a versioned contract: schema.graphql is what the gateway serves,
 * schema.released.graphql what was last promised, and `npm run schema:check` lets a breaking
 * change through only after the removal date its deprecation announced. No services needed:
 * the check works on SDL and on the trusted documents' text.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { buildSchema, isObjectType, Kind, parse, print, visit, type ConstDirectiveNode, type FieldDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  changesBody,
  CHANGELOG_FILE,
  releasedSchema,
  releaseOf,
  releaseRefusal,
  unreleasedBody,
  withRelease,
  withUnreleased,
} from '../src/schema-contract/changelog.ts';
import { checkSchemaContract, todayUtc, type CheckInput } from '../src/schema-contract/check.ts';
import { readTrustedDocuments, type TrustedDocument } from '../src/schema-contract/documents.ts';
import { printPublicSchema, RELEASED_SCHEMA_FILE, SCHEMA_FILE } from '../src/schema-contract/print.ts';
import { summaryLine } from '../src/schema-contract/report.ts';

const RELEASED = readFileSync(RELEASED_SCHEMA_FILE, 'utf8');
const CURRENT = readFileSync(SCHEMA_FILE, 'utf8');

/** Edits the fields (`Type.field`) of an SDL: drop them, or give each a directive. */
function editFields(sdl: string, coordinates: readonly string[], edit: 'remove' | ConstDirectiveNode): string {
  const wanted = new Set(coordinates);
  const seen = new Set<string>();
  const edited = visit(parse(sdl), {
    ObjectTypeDefinition(type) {
      const fields = (type.fields ?? []).flatMap((field): FieldDefinitionNode[] => {
        const coordinate = `${type.name.value}.${field.name.value}`;
        if (!wanted.has(coordinate)) return [field];
        seen.add(coordinate);
        return edit === 'remove' ? [] : [{ ...field, directives: [...(field.directives ?? []), edit] }];
      });
      return { ...type, fields };
    },
  });
  expect([...seen].sort(), 'every field to edit is in the schema').toEqual([...wanted].sort());
  return print(edited);
}

function deprecated(reason?: string): ConstDirectiveNode {
  const args =
    reason === undefined
      ? []
      : [
          {
            kind: Kind.ARGUMENT as const,
            name: { kind: Kind.NAME as const, value: 'reason' },
            value: { kind: Kind.STRING as const, value: reason },
          },
        ];
  return { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'deprecated' }, arguments: args };
}

function check(overrides: Partial<CheckInput>) {
  return checkSchemaContract({
    releasedSDL: RELEASED,
    currentSDL: RELEASED,
    documents: [],
    today: '2026-12-07',
    announced: ANNOUNCED,
    ...overrides,
  });
}

/** The fields these tests deprecate were announced long enough before their removal dates. */
const ANNOUNCED = { 'Deal.name': '2026-06-01', 'Deal.stage': '2026-06-01' };

describe('the committed contract files', () => {
  it('schema.graphql is the schema the gateway serves, as `npm run schema:print` writes it', () => {
    expect(CURRENT === printPublicSchema(), 'schema.graphql is stale: run `npm run schema:print` and commit it').toBe(true);
  });

  it('the repository passes schema:check today', async () => {
    const result = await checkSchemaContract({
      releasedSDL: RELEASED,
      currentSDL: CURRENT,
      documents: readTrustedDocuments(),
      today: todayUtc(),
    });
    expect(result.breaking, summaryLine(result)).toEqual([]);
    expect(result.undated).toEqual([]);
    expect(result.expiredUses).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("CHANGELOG.md's Unreleased section lists the changes released -> current", async () => {
    const result = await check({ currentSDL: CURRENT });
    const committed = unreleasedBody(readFileSync(CHANGELOG_FILE, 'utf8'));
    expect(
      committed === changesBody(result.changes),
      'CHANGELOG.md is stale: run `npm run schema:check -- --changelog` and commit it',
    ).toBe(true);
  });
});

describe('breaking changes and deprecation windows', () => {
  const windowed = editFields(RELEASED, ['Deal.name'], deprecated('Use x. Removal after 2027-01-01.'));
  const removed = editFields(RELEASED, ['Deal.name'], 'remove');

  it('a removed field is breaking and fails the check', async () => {
    const result = await check({ currentSDL: removed });
    expect(result.breaking.map((change) => [change.type, change.path])).toEqual([['FIELD_REMOVED', 'Deal.name']]);
    expect(result.ok).toBe(false);
    expect(summaryLine(result)).toMatch(
      /^schema:check: 1 breaking, 0 dangerous, 0 safe; 0 trusted documents use deprecated fields — FAILED$/,
    );
  });

  it('removing a field passes once the removal date its released deprecation announced has passed', async () => {
    const result = await check({ releasedSDL: windowed, currentSDL: removed, today: '2027-01-02' });
    expect(result.breaking).toEqual([]);
    expect(result.allowed.map((change) => [change.path, change.allowedBy?.removalDate])).toEqual([['Deal.name', '2027-01-01']]);
    expect(result.ok).toBe(true);
  });

  it.each(['2026-12-07', '2027-01-01'])('removing it on %s, before the day after its removal date, fails', async (today) => {
    const result = await check({ releasedSDL: windowed, currentSDL: removed, today });
    expect(result.breaking.map((change) => change.path)).toEqual(['Deal.name']);
    expect(result.ok).toBe(false);
  });

  it('a type only the allowed removals used goes with them; one still used elsewhere stays breaking', async () => {
    const deal = (fields: string) => `type Query { deal: Deal stages: [String] }\ntype Deal { id: ID! ${fields} }\n`;
    const legacy = 'enum LegacyStage { A B }\n';
    const releasedSDL =
      deal('stage: LegacyStage @deprecated(reason: "Use x. Removal after 2027-01-01.") rawStage(as: LegacyStage): String') + legacy;
    const onlyDeprecated = await check({
      releasedSDL: releasedSDL.replace(' rawStage(as: LegacyStage): String', ''),
      currentSDL: deal(''),
      today: '2027-01-02',
    });
    expect(onlyDeprecated.allowed.map((change) => `${change.type} ${change.path}`)).toEqual([
      'FIELD_REMOVED Deal.stage',
      'TYPE_REMOVED LegacyStage',
    ]);
    expect(onlyDeprecated.ok).toBe(true);
    const usedElsewhere = await check({ releasedSDL, currentSDL: deal('rawStage: String'), today: '2027-01-02' });
    expect(usedElsewhere.breaking.map((change) => `${change.type} ${change.path}`)).toEqual([
      'FIELD_ARGUMENT_REMOVED Deal.rawStage.as',
      'TYPE_REMOVED LegacyStage',
    ]);
  });

  it('a field deprecated without a removal date does not excuse its removal', async () => {
    const undated = editFields(RELEASED, ['Deal.name'], deprecated('Use x.'));
    const result = await check({ releasedSDL: undated, currentSDL: removed, today: '2099-01-01' });
    expect(result.breaking.map((change) => change.path)).toEqual(['Deal.name']);
  });

  // Query.channels(after: String, first: Int = 20, includeArchived: Boolean = false)
  const channelsAfter = '    after: String\n\n    """How many channels per page';

  it('an argument that becomes non-null is breaking', async () => {
    const currentSDL = RELEASED.replace(channelsAfter, channelsAfter.replace('String', 'String!'));
    expect(currentSDL).not.toBe(RELEASED);
    const result = await check({ currentSDL });
    expect(result.breaking.map((change) => [change.type, change.path])).toEqual([['FIELD_ARGUMENT_TYPE_CHANGED', 'Query.channels.after']]);
    expect(result.ok).toBe(false);
  });

  it('an optional argument added is not breaking (inspector rates it dangerous), a required one is', async () => {
    const withArgument = (type: string) =>
      RELEASED.replace(channelsAfter, channelsAfter.replace('String\n', `String\n    types: ${type}\n`));
    const optional = await check({ currentSDL: withArgument('[String!]') });
    expect(optional.changes.map((change) => [change.level, change.path])).toEqual([['DANGEROUS', 'Query.channels.types']]);
    expect(optional.ok).toBe(true);
    const required = await check({ currentSDL: withArgument('[String!]!') });
    expect(required.breaking.map((change) => change.path)).toEqual(['Query.channels.types']);
  });

  it('adding a field and deprecating another with a removal date are not breaking', async () => {
    const currentSDL = editFields(RELEASED, ['Deal.name'], deprecated('Use `title`. Removal after 2027-03-08.')).replace(
      /\ntype Deal \{\n/,
      '\ntype Deal {\n  title: String\n',
    );
    const result = await check({ currentSDL });
    expect(result.breaking).toEqual([]);
    expect(result.changes.map((change) => [change.level, change.type])).toEqual([
      ['SAFE', 'FIELD_DEPRECATION_ADDED'],
      ['SAFE', 'FIELD_ADDED'],
    ]);
    expect(result.ok).toBe(true);
  });
});

describe('deprecations must name their removal date', () => {
  it.each([
    ['a reason without a date', deprecated('Use x.')],
    ['no reason at all', deprecated()],
    ['a date that is not a day', deprecated('Use x. Removal after 2027-02-30.')],
  ])('a deprecation with %s fails the check', async (_case, directive) => {
    const result = await check({ currentSDL: editFields(RELEASED, ['Deal.name'], directive) });
    expect(result.undated.map((deprecation) => deprecation.coordinate)).toEqual(['Deal.name']);
    expect(result.ok).toBe(false);
  });
});

describe('deprecation windows: at least 90 days from announcement to removal', () => {
  const currentSDL = editFields(RELEASED, ['Deal.name'], deprecated('Use x. Removal after 2027-03-08.'));

  it('a deprecation announced 90 days or more before its removal passes', async () => {
    const result = await check({ currentSDL, announced: { 'Deal.name': '2026-12-08' } });
    expect(result.windows).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('a shorter window fails the check, naming the days', async () => {
    const result = await check({ currentSDL, announced: { 'Deal.name': '2026-12-09' } });
    expect(result.windows).toEqual([{ coordinate: 'Deal.name', problem: expect.stringMatching(/89 days, less than the 90 promised/) }]);
    expect(result.ok).toBe(false);
  });

  it('a deprecation with no announcement date fails the check', async () => {
    const result = await check({ currentSDL, announced: {} });
    expect(result.windows.map((window) => window.coordinate)).toEqual(['Deal.name']);
    expect(result.ok).toBe(false);
  });
});

describe('trusted documents using deprecated fields', () => {
  const dealNames: TrustedDocument = { name: 'DealNames.graphql', source: 'query DealNames { deal(id: "1") { id name } }' };
  const other: TrustedDocument = { name: 'Other.graphql', source: 'query Other { deal(id: "1") { id } }' };

  it('lists each document using a deprecated field, with the field and its removal date', async () => {
    const currentSDL = editFields(RELEASED, ['Deal.name'], deprecated('Use x. Removal after 2027-01-01.'));
    const result = await check({ currentSDL, documents: [other, dealNames] });
    expect(result.documentUses.map(({ document, coordinate, removalDate }) => ({ document, coordinate, removalDate }))).toEqual([
      { document: 'DealNames.graphql', coordinate: 'Deal.name', removalDate: '2027-01-01' },
    ]);
    expect(result.ok).toBe(true);
    expect(summaryLine(result)).toContain('; 1 trusted document uses deprecated fields');
  });

  it('fails while a document still uses a field past its removal date, removed or not', async () => {
    const windowed = editFields(RELEASED, ['Deal.name'], deprecated('Use x. Removal after 2027-01-01.'));
    const kept = await check({ releasedSDL: windowed, currentSDL: windowed, documents: [dealNames], today: '2027-01-02' });
    expect(kept.expiredUses.map((use) => use.coordinate)).toEqual(['Deal.name']);
    expect(kept.ok).toBe(false);
    const gone = await check({
      releasedSDL: windowed,
      currentSDL: editFields(RELEASED, ['Deal.name'], 'remove'),
      documents: [dealNames],
      today: '2027-01-02',
    });
    expect(gone.breaking).toEqual([]);
    expect(gone.expiredUses.map((use) => [use.document, use.coordinate])).toEqual([['DealNames.graphql', 'Deal.name']]);
    expect(gone.ok).toBe(false);
  });
});

describe('the changelog and cutting a release', () => {
  const changelog = ['# Changelog', '', '## Unreleased', '', 'stale', '', '## 0.1.0 — 2026-12-07', '', 'First.', ''].join('\n');

  it('writes the Unreleased section grouped Breaking / Dangerous / Safe, and moves it under the version on release', async () => {
    const currentSDL = editFields(RELEASED, ['Deal.name'], 'remove').replace(/\ntype Deal \{\n/, '\ntype Deal {\n  title: String\n');
    const { changes } = await check({ currentSDL });
    const unreleased = withUnreleased(changelog, changes);
    expect(unreleasedBody(unreleased)).toBe(
      [
        '### Breaking',
        '',
        "- Field 'name' was removed from object type 'Deal'",
        '',
        '### Safe',
        '',
        "- Field 'title' was added to object type 'Deal'",
      ].join('\n'),
    );
    expect(unreleased).toContain('## 0.1.0 — 2026-12-07\n\nFirst.\n');
    const released = withRelease(unreleased, changes, '0.2.0', '2027-01-02');
    expect(unreleasedBody(released)).toBe(changesBody([]));
    expect(released.indexOf('## 0.2.0 — 2027-01-02\n\n### Breaking')).toBeGreaterThan(released.indexOf('## Unreleased'));
    expect(released.indexOf('## 0.2.0')).toBeLessThan(released.indexOf('## 0.1.0'));
    expect(() => withRelease(released, [], '0.2.0', '2027-01-03')).toThrow(/already has a release 0.2.0/);
  });

  it('the released schema records its version and date and is the current schema', async () => {
    const next = releasedSchema(CURRENT, '0.2.0', '2027-01-02');
    expect(releaseOf(next)).toEqual({ version: '0.2.0', date: '2027-01-02' });
    expect(releaseOf(RELEASED)).toEqual({ version: '0.1.0', date: '2026-12-07' });
    expect((await check({ releasedSDL: next, currentSDL: CURRENT })).changes).toEqual([]);
  });

  it('refuses a release that is not a later MAJOR.MINOR.PATCH or has no changes', async () => {
    const { changes } = await check({ currentSDL: RELEASED.replace(/\ntype Deal \{\n/, '\ntype Deal {\n  title: String\n') });
    expect(releaseRefusal('0.2.0', '0.1.0', changes)).toBeUndefined();
    expect(releaseRefusal('0.10.0', '0.9.3', changes)).toBeUndefined();
    expect(releaseRefusal('0.2', '0.1.0', changes)).toMatch(/MAJOR.MINOR.PATCH/);
    expect(releaseRefusal('0.1.0', '0.1.0', changes)).toMatch(/not after the released 0.1.0/);
    expect(releaseRefusal('0.0.9', '0.1.0', changes)).toMatch(/not after/);
    expect(releaseRefusal('0.2.0', '0.1.0', [])).toMatch(/nothing to release/);
  });
});

describe('property: removals of released fields', () => {
  // Every field of an object type that keeps at least one other field (a type with none is not a schema).
  const released = buildSchema(RELEASED);
  const removable = Object.values(released.getTypeMap())
    .filter((type) => isObjectType(type) && !type.name.startsWith('__'))
    .flatMap((type) => {
      const names = Object.keys(isObjectType(type) ? type.getFields() : {});
      return names.length > 1 ? names.map((name) => `${type.name}.${name}`) : [];
    });

  it('reports exactly the removed fields as breaking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.constantFrom(...removable), { minLength: 1, maxLength: 6 }), async (chosen) => {
        const byType = new Map<string, number>();
        for (const coordinate of chosen) byType.set(coordinate.split('.')[0], (byType.get(coordinate.split('.')[0]) ?? 0) + 1);
        fc.pre(
          [...byType].every(([type, count]) => count < Object.keys((released.getType(type) as { getFields(): object }).getFields()).length),
        );
        const result = await check({ currentSDL: editFields(RELEASED, chosen, 'remove') });
        expect(result.breaking.map((change) => `${change.type} ${change.path}`).sort()).toEqual(
          chosen.map((coordinate) => `FIELD_REMOVED ${coordinate}`).sort(),
        );
        expect(result.dangerous.length + result.safe.length + result.allowed.length).toBe(0);
        expect(result.ok).toBe(false);
      }),
      { seed: 20261207, numRuns: 40 },
    );
  });
});
