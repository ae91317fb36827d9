/** The readable report `npm run vendor:check` prints, ending in its one-line summary. */
import type { VendorCheck } from './index.ts';
import type { ApiDocument } from './openapi.ts';
import type { Finding } from './types.ts';
import { zodFieldPaths } from './zod-fields.ts';

export interface DocumentLabel {
  /** Where it came from: a path, or "vendored". */
  source: string;
  doc: ApiDocument;
}

const versionOf = (doc: ApiDocument) => {
  const info = doc.info as { version?: unknown } | undefined;
  return typeof info?.version === 'string' ? info.version : 'unversioned';
};

function describe(finding: Finding): string[] {
  const lines = [
    `  ✗ ${finding.route}: ${finding.kind} — ${finding.detail} (${finding.effect === 'rejects' ? 'the call fails' : 'the field degrades'})`,
  ];
  lines.push(`      GraphQL fields: ${finding.impact.graphql.join(', ') || '(none)'}`);
  lines.push(`      trusted documents: ${finding.impact.documents.join(', ') || '(none)'}`);
  return lines;
}

export function formatReport(result: VendorCheck, labels: Partial<Record<'stripe' | 'slack', DocumentLabel>>): string {
  const lines: string[] = [];
  const summary: string[] = [];
  // Checked systems first, so the summary leads with what was checked.
  const systems = [...result.systems].sort((a, b) => Number(b.checked) - Number(a.checked));
  for (const system of systems) {
    const { contract } = system;
    const label = contract.document ? labels[contract.document] : undefined;
    const unit = contract.document === 'slack' ? 'methods' : 'routes';
    if (!system.checked || !label) {
      lines.push(
        `${contract.vendor} (${contract.system}), ${contract.apiVersion}: ${contract.routes.length} ${unit} declared; no document to check against`,
      );
      for (const route of contract.routes) {
        const reads = route.response ? zodFieldPaths(route.response).length : 0;
        lines.push(
          `  · ${route.route} — ${route.calls}; sends ${route.params.join(', ') || 'nothing but its path'}; reads ${reads} fields`,
        );
      }
      summary.push(`${contract.vendor.toLowerCase()}, ${contract.routes.length} ${unit} unchecked`);
      continue;
    }
    lines.push(
      `${contract.vendor} (${contract.system}), ${contract.apiVersion}, against ${label.source}, document version ${versionOf(label.doc)}: ${contract.routes.length} ${unit}, ${system.findings.length} findings`,
    );
    for (const finding of system.findings) lines.push(...describe(finding));
    for (const note of system.notes) lines.push(`  note: ${note}`);
    const version = contract.document === 'stripe' ? `stripe ${contract.apiVersion}` : contract.document;
    summary.push(`${version}, ${contract.routes.length} ${unit}`);
  }
  lines.push(`vendor:check: ${result.findings.length} findings (${summary.join('; ')})`);
  return lines.join('\n');
}
