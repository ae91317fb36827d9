/**
 * Runs phases of the property with fast-check: `assertPhase` stops at the first failing
 * batch and shrinks it (the suite), `explorePhase` keeps going, groups every violation by
 * class, then replays and shrinks one example of each class (`npm run fuzz`).
 */
import * as fc from 'fast-check';
import type { Batch, BatchSize, FuzzHarness, OpOutcome, Phase } from './harness.ts';
import { isLimitRejection, type Violation } from './invariants.ts';

export interface PhaseStats {
  phase: string;
  seed: number;
  runs: number;
  operations: number;
  /** Operations rejected by a documented gateway limit (depth, cost, …) before execution. */
  limited: number;
  ms: number;
}

export interface Finding {
  /** Violation class, with the phase's knob (`INTERNAL_SERVER_ERROR` under `billing 500`). */
  kind: string;
  phase: string;
  seed: number;
  /** fast-check's path of the (shrunk) counterexample: replay with `{ seed, path }`. */
  path: string;
  /** How many operations of the run showed this class. */
  count: number;
  query: string;
  corruption?: string;
  violations: Violation[];
  /** The answers under chaos and from the healthy reference, trimmed. */
  response: string;
  healthy: string;
  /** True: shrunk; false: the replay did not show the class again; undefined: shrinking was off. */
  shrunk?: boolean;
}

const trim = (value: unknown, max = 2500) => {
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
};

function describe(outcome: OpOutcome): Pick<Finding, 'query' | 'violations' | 'response' | 'healthy'> {
  return {
    query: outcome.op.text,
    violations: outcome.violations,
    response: trim({ status: outcome.chaos.status, errors: outcome.chaos.errors, data: outcome.chaos.data }),
    healthy: trim({ errors: outcome.healthy.errors, data: outcome.healthy.data }),
  };
}

const SHRUNK: Record<string, string> = { true: 'shrunk', false: 'not shrunk: did not reproduce on replay', undefined: 'not shrunk' };

export function formatFinding(f: Finding): string {
  return [
    `violation: ${f.kind}  (phase: ${f.phase}${f.corruption && f.phase.includes('corrupt') ? `, corruption: ${f.corruption}` : ''})`,
    `replay: seed ${f.seed}, path "${f.path}" (${SHRUNK[String(f.shrunk)]}); seen in ${f.count} operation(s)`,
    `query: ${f.query}`,
    ...f.violations.map((v) => `  - ${v.kind}: ${v.message}`),
    `response: ${f.response}`,
    `healthy reference: ${f.healthy}`,
  ].join('\n');
}

class BatchFailure extends Error {
  constructor(readonly outcomes: OpOutcome[]) {
    super(outcomes.flatMap((o) => o.violations.map((v) => `${v.kind}: ${v.message}`)).join('\n'));
  }
}

/** Property: the batch shows a violation (of class `only`, when given). */
type OnRun = (outcomes: OpOutcome[], batch: Batch) => void;

function property(harness: FuzzHarness, phase: Phase, size: BatchSize | undefined, onRun: OnRun, only?: string) {
  return fc.asyncProperty(harness.batch(size), async (batch) => {
    const outcomes = await harness.run(phase, batch);
    onRun(outcomes, batch);
    const failing = outcomes.filter((o) => o.violations.some((v) => only === undefined || classOf(v, phase) === only));
    if (failing.length > 0) throw new BatchFailure(failing);
  });
}

export const classOf = (v: Violation, phase: Phase) => `${v.kind} [${phase.knob === 'none' ? 'healthy' : phase.knob}]`;

function stats(phase: Phase, seed: number): PhaseStats {
  return { phase: phase.name, seed, runs: 0, operations: 0, limited: 0, ms: 0 };
}

function count(s: PhaseStats, outcomes: OpOutcome[]) {
  s.runs++;
  s.operations += outcomes.length;
  s.limited += outcomes.filter((o) => isLimitRejection(o.healthy)).length;
}

/** Runs `numRuns` batches; on the first violation shrinks it and returns it as a finding. */
export interface RunOptions {
  numRuns: number;
  seed: number;
  /** Operations per batch (default: the harness's). */
  size?: BatchSize;
  /** Time allowed for shrinking one counterexample, ms. */
  shrinkMs?: number;
  /** Stop sending once this many operations ran (later runs are generated and skipped): `numRuns` is then an upper bound. */
  targetOperations?: number;
}

export async function assertPhase(
  harness: FuzzHarness,
  phase: Phase,
  { numRuns, seed, size, shrinkMs = 20_000 }: RunOptions,
): Promise<{ stats: PhaseStats; finding?: Finding }> {
  const started = performance.now();
  const s = stats(phase, seed);
  await harness.enter(phase);
  try {
    let last: { outcomes: OpOutcome[]; batch: Batch } | undefined;
    const details = await fc.check(
      property(harness, phase, size, (outcomes, batch) => {
        count(s, outcomes);
        if (outcomes.some((o) => o.violations.length > 0)) last = { outcomes, batch };
      }),
      { numRuns, seed, endOnFailure: false, plugins: [fc.interruptAfterTimeLimit(shrinkMs + numRuns * 5_000)] },
    );
    s.ms = performance.now() - started;
    if (!details.failed) return { stats: s };
    const error = details.errorInstance;
    const outcomes = error instanceof BatchFailure ? error.outcomes : (last?.outcomes ?? []);
    const first = outcomes[0];
    const batch = ((details.counterexample as [Batch] | null)?.[0] as Batch | undefined) ?? last?.batch;
    const finding: Finding = {
      kind: first ? classOf(first.violations[0], phase) : 'error',
      phase: phase.name,
      seed,
      path: details.counterexamplePath ?? '',
      count: outcomes.length,
      corruption: batch?.corruption,
      shrunk: true,
      ...(first ? describe(first) : { query: String(batch?.ops.join('\n')), violations: [], response: String(error), healthy: '' }),
    };
    return { stats: s, finding };
  } finally {
    await harness.leave();
  }
}

/** Runs `numRuns` batches without stopping; returns one shrunk example per violation class. */
export async function explorePhase(
  harness: FuzzHarness,
  phase: Phase,
  { numRuns, seed, size, shrinkMs = 20_000, targetOperations = Infinity }: RunOptions,
  options: { shrink?: boolean; onProgress?: (s: PhaseStats) => void } = {},
): Promise<{ stats: PhaseStats; findings: Finding[] }> {
  const started = performance.now();
  const s = stats(phase, seed);
  const seen = new Map<string, { run: number; count: number; outcome: OpOutcome; corruption: string }>();
  await harness.enter(phase);
  try {
    let run = 0;
    await fc.check(
      fc.asyncProperty(harness.batch(size), async (batch) => {
        if (s.operations >= targetOperations) return;
        const outcomes = await harness.run(phase, batch);
        count(s, outcomes);
        for (const outcome of outcomes) {
          for (const kind of new Set(outcome.violations.map((v) => classOf(v, phase)))) {
            const entry = seen.get(kind);
            if (entry) entry.count++;
            else seen.set(kind, { run, count: 1, outcome, corruption: batch.corruption });
          }
        }
        run++;
        if (run % 50 === 0) options.onProgress?.({ ...s, ms: performance.now() - started });
      }),
      { numRuns, seed },
    );
    s.ms = performance.now() - started;
    const findings: Finding[] = [];
    for (const [kind, entry] of seen) {
      const first = { path: String(entry.run), count: entry.count, corruption: entry.corruption };
      const base: Finding = { kind, phase: phase.name, seed, ...first, shrunk: false, ...describe(entry.outcome) };
      if (options.shrink === false) {
        findings.push({ ...base, shrunk: undefined });
        continue;
      }
      const details = await fc.check(
        property(harness, phase, size, () => undefined, kind),
        { seed, path: String(entry.run), numRuns: 1, endOnFailure: false, plugins: [fc.interruptAfterTimeLimit(shrinkMs)] },
      );
      const error = details.errorInstance;
      if (details.failed && error instanceof BatchFailure) {
        const outcome = error.outcomes[0];
        const batch = (details.counterexample as [Batch])[0];
        const shown = { ...outcome, violations: outcome.violations.filter((v) => classOf(v, phase) === kind) };
        const path = details.counterexamplePath ?? base.path;
        findings.push({ ...base, path, corruption: batch.corruption, shrunk: true, ...describe(shown) });
      } else findings.push(base);
    }
    return { stats: s, findings };
  } finally {
    await harness.leave();
  }
}
