/**
 * `npm run fuzz -- --runs 10000 --seed 42`: the property of test/property-partial-failure.test.ts
 * at length. Generates `--runs` operations spread over the healthy sandbox and each chaos
 * knob on each system (in turn, within a worker), keeps going past violations, and prints
 * one shrunk example per violation class with the seed and fast-check path that replay it.
 *
 *   --runs N         operations in all (default 10000)
 *   --seed S         fast-check seed (default: random, printed); phase i uses S + i
 *   --phase NAME     only this phase (e.g. "billing refuse"; repeatable)
 *   --batch N        operations sent together per property run: 1-N (1-3N under refuse, 500, hang; default 6)
 *   --workers N      processes, each with its own sandboxes and gateways, sharing the phases (default 2)
 *   --no-shrink      report the first example of each class as found
 *   --findings FILE  also write the findings as Markdown to FILE
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BatchSize, FuzzHarness, PHASES, type Phase } from '../test/support/fuzz/harness.ts';
import { explorePhase, type Finding, formatFinding, type PhaseStats } from '../test/support/fuzz/runner.ts';

interface WorkerResult {
  stats: PhaseStats[];
  findings: Finding[];
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    phase: { type: 'string', multiple: true },
    batch: { type: 'string', default: '6' },
    workers: { type: 'string', default: String(Math.min(2, availableParallelism())) },
    'no-shrink': { type: 'boolean', default: false },
    findings: { type: 'string' },
    /** Internal: run these phases in this process and send the result to the parent. */
    worker: { type: 'boolean', default: false },
    'phases-in-run': { type: 'string' },
  },
});

const total = Number(values.runs);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const batch = Math.max(1, Number(values.batch));
if (!Number.isInteger(total) || total < 1 || !Number.isInteger(seed) || !Number.isInteger(batch)) {
  console.error('usage: npm run fuzz -- [--runs N] [--seed S] [--phase NAME] [--batch N] [--workers N] [--no-shrink] [--findings FILE]');
  process.exit(2);
}
const phases = values.phase ? PHASES.filter((p) => values.phase!.includes(p.name)) : PHASES;
if (phases.length === 0) {
  console.error(`no such phase; phases: ${PHASES.map((p) => p.name).join(', ')}`);
  process.exit(2);
}
/**
 * Under refusals, 500s and hangs an operation mostly waits (retries' backoff, the deadline),
 * so those phases send three times as many operations at once; batches of 1-N average
 * (1 + N) / 2 operations, and each phase gets its share of `--runs`.
 */
const sizeOf = (phase: Phase): BatchSize => ({ min: 1, max: phase.knob === 'none' || phase.knob === 'corrupt' ? batch : 3 * batch });
const phasesInRun = Number(values['phases-in-run'] ?? phases.length);
const perPhase = Math.ceil(total / phasesInRun);
// fast-check favours short arrays, so batches average less than (1 + N) / 2: the runs are an
// upper bound, and each phase stops sending once it has run its share of operations.
const runsOf = (phase: Phase) => Math.max(1, Math.ceil((3 * perPhase) / ((1 + sizeOf(phase).max) / 2)));

if (values.worker) {
  const result = await runPhases(phases.map((p) => p.name));
  process.send!(result, () => process.exit(0));
} else {
  await main();
}

async function runPhases(names: string[]): Promise<WorkerResult> {
  const harness = await FuzzHarness.start();
  const result: WorkerResult = { stats: [], findings: [] };
  try {
    for (const phase of PHASES.filter((p) => names.includes(p.name))) {
      const index = PHASES.indexOf(phase);
      const run = { numRuns: runsOf(phase), size: sizeOf(phase), seed: seed + index, shrinkMs: 30_000, targetOperations: perPhase };
      const { stats, findings } = await explorePhase(harness, phase, run, { shrink: !values['no-shrink'] });
      result.stats.push(stats);
      result.findings.push(...findings);
      console.log(
        `${phase.name.padEnd(16)} seed ${stats.seed}: ${stats.operations} operations (${stats.limited} rejected by a limit) ` +
          `in ${(stats.ms / 1000).toFixed(1)} s, ` +
          `${findings.length} violation class(es)${findings.length ? `: ${findings.map((f) => f.kind).join(', ')}` : ''}`,
      );
    }
  } finally {
    await harness.close();
  }
  return result;
}

async function main(): Promise<void> {
  const workers = Math.max(1, Math.min(Number(values.workers), phases.length));
  console.log(
    `fuzz: seed ${seed}, ${total} operations over ${phases.length} phases, batches of 1-${batch} ` +
      `(1-${3 * batch} under refuse, 500 and hang), ${workers} worker(s)`,
  );
  const started = performance.now();
  const shares = Array.from({ length: workers }, (_, w) => phases.filter((_, i) => i % workers === w).map((p) => p.name));
  const results = await Promise.all(shares.map((names) => (workers === 1 ? runPhases(names) : runWorker(names))));
  const seconds = (performance.now() - started) / 1000;
  const stats = results.flatMap((r) => r.stats);
  const order = (f: Finding) => PHASES.findIndex((p) => p.name === f.phase);
  const findings = results.flatMap((r) => r.findings).sort((a, b) => order(a) - order(b));
  const operations = stats.reduce((n, s) => n + s.operations, 0);
  const violating = findings.reduce((n, f) => n + f.count, 0);
  for (const f of findings) console.log(`\n${formatFinding(f)}`);
  console.log(
    `\nfuzz: seed ${seed}, ${stats.reduce((n, s) => n + s.runs, 0)} runs, ${operations} operations, ` +
      `${findings.length} violation classes (${violating} violating operations), ` +
      `${seconds.toFixed(0)} s, ${(operations / seconds).toFixed(1)} ops/s`,
  );
  if (values.findings) writeFileSync(values.findings, markdown(operations, seconds, findings));
  process.exit(findings.length > 0 ? 1 : 0);
}

function runWorker(names: string[]): Promise<WorkerResult> {
  // The worker computes each phase's share from the same --runs and the whole phase list.
  const args = ['--worker', '--seed', String(seed), '--batch', String(batch), '--runs', String(total)];
  args.push('--phases-in-run', String(phases.length));
  args.push(...names.flatMap((n) => ['--phase', n]));
  if (values['no-shrink']) args.push('--no-shrink');
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), args, { stdio: 'inherit' });
    let result: WorkerResult | undefined;
    child.on('message', (message) => (result = message as WorkerResult));
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`fuzz worker for ${names.join(', ')} exited with ${code}`))));
  });
}

function markdown(operations: number, seconds: number, findings: Finding[]): string {
  const lines = [`Run: seed ${seed}, ${operations} operations, ${seconds.toFixed(0)} s, ${findings.length} violation classes.`, ''];
  for (const f of findings) lines.push(`### ${f.kind} — ${f.phase}`, '', '```', formatFinding(f), '```', '');
  return lines.join('\n');
}
