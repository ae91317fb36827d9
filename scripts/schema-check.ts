/**
 * `npm run schema:check`: schema.graphql (the current contract) against schema.released.graphql
 * (the last release), classified and checked by src/schema-contract/check.ts; exits 1 when the
 * check fails.
 *
 *   --today YYYY-MM-DD   the day deprecation windows are judged on (default: today, UTC)
 *   --changelog          also write CHANGELOG.md's Unreleased section from the changes
 *   --release VERSION    cut a release: the changes go under VERSION in CHANGELOG.md and
 *                        schema.graphql becomes schema.released.graphql (refused when the check fails)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkSchemaContract, todayUtc } from '../src/schema-contract/check.ts';
import { CHANGELOG_FILE, releaseOf, releasedSchema, withRelease, withUnreleased } from '../src/schema-contract/changelog.ts';
import { readTrustedDocuments } from '../src/schema-contract/documents.ts';
import { RELEASED_SCHEMA_FILE, SCHEMA_FILE } from '../src/schema-contract/print.ts';
import { formatReport } from '../src/schema-contract/report.ts';

const { values } = parseArgs({
  options: {
    today: { type: 'string', default: todayUtc() },
    changelog: { type: 'boolean', default: false },
    release: { type: 'string' },
  },
});

const releasedSDL = readFileSync(RELEASED_SCHEMA_FILE, 'utf8');
const currentSDL = readFileSync(SCHEMA_FILE, 'utf8');
const result = await checkSchemaContract({ releasedSDL, currentSDL, documents: readTrustedDocuments(), today: values.today });
const released = releaseOf(releasedSDL);
console.log(`schema.graphql against schema.released.graphql (release ${released.version} of ${released.date}), today ${values.today}:`);
console.log(formatReport(result));

const changelog = existsSync(CHANGELOG_FILE) ? readFileSync(CHANGELOG_FILE, 'utf8') : undefined;
if (values.release !== undefined) {
  const version = values.release;
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`--release takes a version like 0.2.0, not ${JSON.stringify(version)}`);
  if (!result.ok) {
    console.error(`schema:check: release ${version} refused: the check fails`);
    process.exit(1);
  }
  writeFileSync(CHANGELOG_FILE, withRelease(changelog, result.changes, version, values.today));
  writeFileSync(RELEASED_SCHEMA_FILE, releasedSchema(currentSDL, version, values.today));
  console.log(`schema:check: released ${version}: CHANGELOG.md and schema.released.graphql written; commit them`);
} else if (values.changelog) {
  writeFileSync(CHANGELOG_FILE, withUnreleased(changelog, result.changes));
  console.log('schema:check: CHANGELOG.md Unreleased section written');
}
process.exit(result.ok ? 0 : 1);
