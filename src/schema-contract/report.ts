/** The contract check's result as the text `npm run schema:check` prints. */
import type { CheckResult, ClassifiedChange } from './check.ts';

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function changeLine(change: ClassifiedChange): string {
  const where = change.path ? `  [${change.path}]` : '';
  const allowed = change.allowedBy ? ` (deprecated in the released schema: ${change.allowedBy.reason})` : '';
  return `  - ${change.message.replace(/\s*\n\s*/g, ' ')}${where}${allowed}`;
}

function group(title: string, changes: readonly ClassifiedChange[]): string[] {
  return changes.length === 0 ? [] : [`${title} (${changes.length})`, ...changes.map(changeLine)];
}

function documentsUsing(result: CheckResult): number {
  return new Set(result.documentUses.map((use) => use.document)).size;
}

/** One line: the counts CI shows, e.g. `schema:check: 0 breaking, 2 dangerous, 5 safe; 1 trusted document uses deprecated fields`. */
export function summaryLine(result: CheckResult): string {
  const allowed = result.allowed.length > 0 ? ` (+${result.allowed.length} past their removal date)` : '';
  const documents = documentsUsing(result);
  const parts = [
    `schema:check: ${result.breaking.length} breaking${allowed}, ${result.dangerous.length} dangerous, ${result.safe.length} safe`,
    `${plural(documents, 'trusted document uses', 'trusted documents use')} deprecated fields`,
  ];
  if (result.expiredUses.length > 0) parts.push(`${plural(result.expiredUses.length, 'use', 'uses')} past the removal date`);
  if (result.undated.length > 0) parts.push(`${plural(result.undated.length, 'deprecation', 'deprecations')} without a removal date`);
  if (result.windows.length > 0) parts.push(`${plural(result.windows.length, 'deprecation breaks', 'deprecations break')} the window`);
  return `${parts.join('; ')}${result.ok ? '' : ' — FAILED'}`;
}

export function formatReport(result: CheckResult): string {
  const lines = [
    ...group('BREAKING', result.breaking),
    ...group('BREAKING, allowed: removal date passed', result.allowed),
    ...group('DANGEROUS', result.dangerous),
    ...group('SAFE', result.safe),
  ];
  if (result.changes.length === 0) lines.push('No changes since the released schema.');
  if (result.undated.length > 0) {
    lines.push(`Deprecations without a removal date (${result.undated.length}): a reason must contain "Removal after YYYY-MM-DD."`);
    lines.push(...result.undated.map((deprecation) => `  - ${deprecation.coordinate}: ${JSON.stringify(deprecation.reason)}`));
  }
  if (result.windows.length > 0) {
    lines.push(`Deprecation windows (${result.windows.length}):`);
    lines.push(...result.windows.map((window) => `  - ${window.coordinate}: ${window.problem}`));
  }
  if (result.documentUses.length > 0) {
    lines.push(`Trusted documents using deprecated elements (${documentsUsing(result)}):`);
    for (const use of result.documentUses) {
      const when = use.removalDate ? `removal after ${use.removalDate}` : 'no removal date';
      const expired = result.expiredUses.includes(use) ? ' — PAST its removal date' : '';
      lines.push(`  - ${use.document} uses ${use.coordinate}, ${when}${expired}`);
    }
  }
  lines.push(summaryLine(result));
  return lines.join('\n');
}
