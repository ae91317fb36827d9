/**
 * CHANGELOG.md and the release of a schema. The changelog's "Unreleased" section is generated
 * from the classified changes released -> current, so it always says what the next release
 * will promise; cutting a release moves that section under the version's heading and makes
 * the current schema the released one.
 */
import { fromRoot } from '../paths.ts';
import type { ClassifiedChange, Level } from './check.ts';

export const CHANGELOG_FILE = fromRoot('CHANGELOG.md');

const UNRELEASED_HEADING = '## Unreleased';
const NO_CHANGES = '_No changes to the schema since the last release._';
const GROUPS: readonly (readonly [Level, string])[] = [
  ['BREAKING', 'Breaking'],
  ['DANGEROUS', 'Dangerous'],
  ['SAFE', 'Safe'],
];

export const CHANGELOG_INTRO = [
  '# Changelog',
  '',
  'Changes to the public GraphQL schema (`schema.graphql`), release by release. Generated: the',
  '"Unreleased" section by `npm run schema:check -- --changelog` from the difference between',
  '`schema.released.graphql` and `schema.graphql`; a release by `npm run schema:check -- --release <version>`.',
  "Each line is @graphql-inspector's description of one change.",
].join('\n');

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function entry(change: ClassifiedChange): string {
  const allowed = change.allowedBy ? ` (deprecated; removal was announced for after ${change.allowedBy.removalDate})` : '';
  return `- ${oneLine(change.message)}${allowed}`;
}

/** The body of a release's section: its changes grouped Breaking / Dangerous / Safe, in the order given (sorted). */
export function changesBody(changes: readonly ClassifiedChange[]): string {
  if (changes.length === 0) return NO_CHANGES;
  return GROUPS.flatMap(([level, title]) => {
    const lines = changes.filter((change) => change.level === level).map(entry);
    return lines.length === 0 ? [] : [`### ${title}\n\n${lines.join('\n')}`];
  }).join('\n\n');
}

interface Sections {
  before: string;
  unreleased: string | undefined;
  after: string;
}

/** The changelog around its Unreleased section (from its heading to the next `## ` heading). */
function split(changelog: string): Sections {
  const lines = changelog.replace(/\n+$/, '').split('\n');
  const start = lines.indexOf(UNRELEASED_HEADING);
  if (start < 0) {
    const firstRelease = lines.findIndex((line) => line.startsWith('## '));
    const at = firstRelease < 0 ? lines.length : firstRelease;
    return { before: lines.slice(0, at).join('\n').trimEnd(), unreleased: undefined, after: lines.slice(at).join('\n') };
  }
  const next = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const end = next < 0 ? lines.length : next;
  return {
    before: lines.slice(0, start).join('\n').trimEnd(),
    unreleased: lines
      .slice(start + 1, end)
      .join('\n')
      .trim(),
    after: lines.slice(end).join('\n'),
  };
}

function join(...parts: string[]): string {
  return `${parts.filter((part) => part.trim() !== '').join('\n\n')}\n`;
}

/** The changelog with its Unreleased section saying `changes` (created when missing). */
export function withUnreleased(changelog: string | undefined, changes: readonly ClassifiedChange[]): string {
  const { before, after } = split(changelog ?? CHANGELOG_INTRO);
  return join(before || CHANGELOG_INTRO, `${UNRELEASED_HEADING}\n\n${changesBody(changes)}`, after);
}

/** The Unreleased section's body as the changelog holds it, or undefined when it has none. */
export function unreleasedBody(changelog: string): string | undefined {
  return split(changelog).unreleased;
}

/** The changelog after releasing `version` on `date`: the changes move under its heading; Unreleased is empty. */
export function withRelease(changelog: string | undefined, changes: readonly ClassifiedChange[], version: string, date: string): string {
  const { before, after } = split(changelog ?? CHANGELOG_INTRO);
  if (after.split('\n').some((line) => line.startsWith(`## ${version} `))) throw new Error(`CHANGELOG.md already has a release ${version}`);
  return join(
    before || CHANGELOG_INTRO,
    `${UNRELEASED_HEADING}\n\n${NO_CHANGES}`,
    `## ${version} — ${date}\n\n${changesBody(changes)}`,
    after,
  );
}

const RELEASED_HEADER = /^# Released schema (\d+\.\d+\.\d+) \((\d{4}-\d{2}-\d{2})\)/;

export function releasedHeader(version: string, date: string): string {
  return `# Released schema ${version} (${date}): the contract clients were promised. Cut by \`npm run schema:check -- --release <version>\`; do not edit by hand.`;
}

/** The version and date schema.released.graphql's header records. */
export function releaseOf(releasedSDL: string): { version: string; date: string } {
  const match = RELEASED_HEADER.exec(releasedSDL);
  if (!match) throw new Error('schema.released.graphql does not start with "# Released schema <version> (<YYYY-MM-DD>)"');
  return { version: match[1], date: match[2] };
}

function versionParts(version: string): number[] | undefined {
  return /^\d+\.\d+\.\d+$/.test(version) ? version.split('.').map(Number) : undefined;
}

/** Why `version` cannot be released after `released` with these changes, or undefined when it can. */
export function releaseRefusal(version: string, released: string, changes: readonly ClassifiedChange[]): string | undefined {
  const next = versionParts(version);
  const last = versionParts(released) ?? [0, 0, 0];
  if (!next) return `a version is MAJOR.MINOR.PATCH, e.g. 0.2.0, not ${JSON.stringify(version)}`;
  const order = next.map((part, index) => part - last[index]).find((delta) => delta !== 0) ?? 0;
  if (order <= 0) return `${version} is not after the released ${released}`;
  if (changes.length === 0) return `nothing to release: schema.graphql is the released ${released}`;
  return undefined;
}

/** schema.released.graphql for a release: the current schema's SDL under a release header instead of its generated one. */
export function releasedSchema(currentSDL: string, version: string, date: string): string {
  const sdl = currentSDL.startsWith('#') ? currentSDL.slice(currentSDL.indexOf('\n') + 1) : `\n${currentSDL}`;
  return `${releasedHeader(version, date)}\n${sdl}`;
}
