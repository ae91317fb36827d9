/**
 * `npm run schema:check`: schema.graphql (the current contract) against schema.released.graphql
 * (the last release), classified and checked by src/schema-contract/check.ts; exits 1 when the
 * check fails or schema.graphql is not what `npm run schema:print` writes.
 *
 *   --today YYYY-MM-DD   the day deprecation windows are judged on (default: today, UTC)
 *   --changelog          also write CHANGELOG.md's Unreleased section from the changes
 *   --release VERSION    cut a release: the changes go under VERSION in CHANGELOG.md and
 *                        schema.graphql becomes schema.released.graphql (refused when the check fails)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkSchemaContract, todayUtc } from '../src/schema-contract/check.ts';
import {
  CHANGELOG_FILE,
  releaseOf,
  releaseRefusal,
  releasedSchema,
  withRelease,
  withUnreleased,
} from '../src/schema-contract/changelog.ts';
import { readTrustedDocuments } from '../src/schema-contract/documents.ts';
import { printPublicSchema, RELEASED_SCHEMA_FILE, SCHEMA_FILE } from '../src/schema-contract/print.ts';
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
const released = releaseOf(releasedSDL);
const result = await checkSchemaContract({ releasedSDL, currentSDL, documents: readTrustedDocuments(), today: values.today });
// The check reads the committed file; a schema changed without `schema:print` would be checked as it was.
const fresh = currentSDL === printPublicSchema();
console.log(`schema.graphql against schema.released.graphql (release ${released.version} of ${released.date}), today ${values.today}:`);
console.log(formatReport(result));
if (!fresh) console.log('schema:check: schema.graphql is stale: run `npm run schema:print` and commit it — FAILED');
const ok = result.ok && fresh;

const changelog = existsSync(CHANGELOG_FILE) ? readFileSync(CHANGELOG_FILE, 'utf8') : undefined;
if (values.release !== undefined) {
  const version = values.release;
  const refusal = ok ? releaseRefusal(version, released.version, result.changes) : 'the check fails';
  if (refusal) {
    console.error(`schema:check: release ${version} refused: ${refusal}`);
    process.exit(1);
  }
  writeFileSync(CHANGELOG_FILE, withRelease(changelog, result.changes, version, values.today));
  writeFileSync(RELEASED_SCHEMA_FILE, releasedSchema(currentSDL, version, values.today));
  console.log(`schema:check: released ${version}: CHANGELOG.md and schema.released.graphql written; commit them`);
} else if (values.changelog) {
  writeFileSync(CHANGELOG_FILE, withUnreleased(changelog, result.changes));
  console.log('schema:check: CHANGELOG.md Unreleased section written');
}
process.exit(ok ? 0 : 1);
