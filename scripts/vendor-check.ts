/**
 * `npm run vendor:check [--stripe <file>] [--slack <file>]`: holds the connectors' vendor
 * contracts (src/systems/*\/contract.ts) against the vendors' published API documents — by
 * default the copies the sandbox is checked against (sandbox/specs/), or newer ones given as
 * files — and prints what would break and which public fields and trusted documents it
 * would take with it. Exits 1 when there are findings.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { documentsSelecting, vendorCheck } from '../src/contracts/index.ts';
import { loadPublicSchema, loadTrustedDocuments } from '../src/contracts/public-schema.ts';
import { formatReport, type DocumentLabel } from '../src/contracts/report.ts';
import { fromRoot } from '../src/paths.ts';

const VENDORED = { stripe: 'sandbox/specs/stripe.subset.json', slack: 'sandbox/specs/slack-web.subset.json' } as const;

function load(given: string | undefined, vendored: string): DocumentLabel {
  const url = given ? new URL(`file://${resolve(given)}`) : fromRoot(vendored);
  return { source: given ?? `${vendored} (vendored)`, doc: JSON.parse(readFileSync(url, 'utf8')) as DocumentLabel['doc'] };
}

const { values } = parseArgs({ options: { stripe: { type: 'string' }, slack: { type: 'string' } } });
const labels = { stripe: load(values.stripe, VENDORED.stripe), slack: load(values.slack, VENDORED.slack) };
const selecting = documentsSelecting(await loadPublicSchema(), loadTrustedDocuments());
const result = vendorCheck({ stripe: labels.stripe.doc, slack: labels.slack.doc }, selecting);
console.log(formatReport(result, labels));
process.exitCode = result.findings.length > 0 ? 1 : 0;
