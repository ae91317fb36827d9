/** The soak's table: each invariant with its count of violations, the nemesis events, the throughput. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from './cluster.ts';
import type { History } from './history.ts';
import type { InvariantResult } from './check/index.ts';
import type { SoakOptions } from './options.ts';

export function printReport(input: {
  options: SoakOptions;
  history: History;
  results: InvariantResult[];
  elapsedMs: number;
  cluster: Cluster;
}): boolean {
  const { options, history, results, elapsedMs } = input;
  const lines: string[] = [];
  const completed = history.operations.filter((op) => op.completion !== undefined);
  const by = (completion: string) => completed.filter((op) => op.completion === completion).length;
  lines.push(`# Soak, seed ${options.seed}`, '');
  lines.push(
    `${completed.length} operations in ${(elapsedMs / 1000).toFixed(0)} s (${((completed.length * 1000) / elapsedMs).toFixed(1)}/s): ` +
      `${by('ok')} ok, ${by('error')} answered with an error, ${by('unknown')} with an unknown outcome`,
    '',
  );
  lines.push('| # | invariant | checked | violations | figures |', '|---|---|---|---|---|');
  for (const r of results) {
    const figures = Object.entries(r.figures ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join('; ');
    lines.push(`| ${r.id} | ${r.name} | ${r.checked} | ${r.violations.length} | ${figures} |`);
  }
  const kinds = new Map<string, number>();
  for (const event of history.nemesis) {
    const kind = event.action.replace(/=.*/, '');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  lines.push(
    '',
    `Nemesis: ${history.nemesis.length} events${kinds.size ? ` (${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ')})` : ''}`,
  );
  const violations = results.flatMap((r) =>
    r.violations.map((v) => `- [${r.id}] ${v.detail}${v.ops.length ? ` (ops ${v.ops.slice(0, 10).join(', ')})` : ''}`),
  );
  if (violations.length) lines.push('', 'Violations:', ...violations.slice(0, 200));
  const ok = violations.length === 0;
  lines.push(
    '',
    ok ? 'soak: 0 violations' : `soak: ${violations.length} violations; replay with --seed ${options.seed}; history in ${options.out}`,
  );
  const text = lines.join('\n');
  console.log(text);
  writeFileSync(join(options.out, 'report.md'), `${text}\n`);
  return ok;
}
