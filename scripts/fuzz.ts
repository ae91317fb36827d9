/**
 * `npm run fuzz -- --runs 10000 --seed 42`: the property of test/property-partial-failure.test.ts
 * at length. Generates `--runs` operations (spread over the healthy sandbox and each chaos
 * knob on each system, in turn), keeps going past violations, and prints one shrunk
 * example per violation class with the seed and fast-check path that replay it.
 *
 *   --runs N         operations in all (default 10000)
 *   --seed S         fast-check seed (default: random, printed); phase i uses S + i
 *   --phase NAME     only this phase (e.g. "billing refuse"; repeatable)
 *   --batch N        operations sent together per property run (default 6)
 *   --no-shrink      report the first example of each class as found
 *   --findings FILE  also write the findings as Markdown to FILE
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FuzzHarness, PHASES } from '../test/support/fuzz/harness.ts';
import { explorePhase, type Finding, formatFinding, type PhaseStats } from '../test/support/fuzz/runner.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    phase: { type: 'string', multiple: true },
    batch: { type: 'string', default: '6' },
    'no-shrink': { type: 'boolean', default: false },
    findings: { type: 'string' },
  },
});

const total = Number(values.runs);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const batch = Math.max(1, Number(values.batch));
if (!Number.isInteger(total) || total < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- [--runs N] [--seed S] [--phase NAME] [--batch N] [--no-shrink] [--findings FILE]');
  process.exit(2);
}
const phases = values.phase ? PHASES.filter((p) => values.phase!.includes(p.name)) : PHASES;
if (phases.length === 0) {
  console.error(`no such phase; phases: ${PHASES.map((p) => p.name).join(', ')}`);
  process.exit(2);
}

console.log(`fuzz: seed ${seed}, ${total} operations over ${phases.length} phases, batches of 1-${batch}`);
const harness = await FuzzHarness.start({ maxBatch: batch });
const started = performance.now();
const allStats: PhaseStats[] = [];
const findings: Finding[] = [];
try {
  for (const phase of phases) {
    const index = PHASES.indexOf(phase);
    // Batches average (1 + batch) / 2 operations.
    const numRuns = Math.max(1, Math.round(total / phases.length / ((1 + batch) / 2)));
    const result = await explorePhase(harness, phase, { numRuns, seed: seed + index, shrinkMs: 30_000 }, { shrink: !values['no-shrink'] });
    allStats.push(result.stats);
    findings.push(...result.findings);
    const s = result.stats;
    console.log(
      `${phase.name.padEnd(16)} seed ${s.seed}: ${s.operations} operations (${s.limited} rejected by a limit) in ${(s.ms / 1000).toFixed(1)} s, ` +
        `${result.findings.length} violation class(es)${result.findings.length ? `: ${result.findings.map((f) => f.kind).join(', ')}` : ''}`,
    );
  }
} finally {
  await harness.close();
}

const seconds = (performance.now() - started) / 1000;
const operations = allStats.reduce((n, s) => n + s.operations, 0);
const violating = findings.reduce((n, f) => n + f.count, 0);
for (const f of findings) console.log(`\n${formatFinding(f)}`);
console.log(
  `\nfuzz: seed ${seed}, ${allStats.reduce((n, s) => n + s.runs, 0)} runs, ${operations} operations, ` +
    `${findings.length} violation classes (${violating} violating operations), ${seconds.toFixed(0)} s, ${(operations / seconds).toFixed(1)} ops/s`,
);
if (values.findings) writeFileSync(values.findings, markdown(seed, operations, seconds, findings));
process.exit(findings.length > 0 ? 1 : 0);

function markdown(seed: number, operations: number, seconds: number, findings: Finding[]): string {
  const lines = [`Run: seed ${seed}, ${operations} operations, ${seconds.toFixed(0)} s, ${findings.length} violation classes.`, ''];
  for (const f of findings) {
    lines.push(`### ${f.kind} — ${f.phase}`, '', '```', formatFinding(f), '```', '');
  }
  return lines.join('\n');
}
