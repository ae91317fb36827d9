/**
 * Invariant 7: no 5xx but the documented OVERLOADED, no INTERNAL_SERVER_ERROR, no crash or
 * unhandled rejection in a replica's log; each replica's peak memory, reported.
 */
import { readFileSync } from 'node:fs';
import type { CheckInput, InvariantResult, Violation } from './types.ts';

export function checkErrors({ cluster, history }: CheckInput): InvariantResult {
  const violations: Violation[] = [];
  let checked = 0;
  for (const op of history.operations) {
    if (op.completion === undefined || op.httpStatus === undefined) continue;
    checked++;
    const codes = op.codes ?? [];
    if (codes.includes('INTERNAL_SERVER_ERROR') || codes.includes('NO_CODE') || codes.includes('SOAK_NOT_JSON'))
      violations.push({ ops: [op.id], detail: `${op.kind} on replica ${op.replica} answered ${codes.join(',')}` });
    else if (op.httpStatus >= 500 && !codes.includes('OVERLOADED'))
      violations.push({ ops: [op.id], detail: `${op.kind} on replica ${op.replica} answered HTTP ${op.httpStatus} (${codes.join(',')})` });
  }
  // Other error-level lines are an operator's business (Redis down, a delete that failed), not a bug: counted, not judged.
  let errorLines = 0;
  for (const replica of cluster.replicas) {
    for (const crash of replica.crashes) violations.push({ ops: [], detail: crash });
    const log = readFileSync(replica.spec.logFile, 'utf8');
    for (const line of log.split('\n')) {
      if (/unhandled|uncaught|FATAL ERROR|heap out of memory/i.test(line))
        violations.push({ ops: [], detail: `${replica.spec.name}: ${line.slice(0, 300)}` });
      else if (/"level":(50|60)/.test(line) && /INTERNAL_SERVER_ERROR/.test(line))
        violations.push({ ops: [], detail: `${replica.spec.name} logged an internal error: ${line.slice(0, 300)}` });
      else if (/"level":(50|60)/.test(line)) errorLines++;
    }
  }
  const figures: Record<string, number> = Object.fromEntries(cluster.replicas.map((r) => [`${r.spec.name} peak RSS MB`, r.peakRssMb]));
  figures['error-level log lines'] = errorLines;
  return { id: 7, name: 'no 5xx but OVERLOADED, no internal error, no crash; memory bounded', checked, violations, figures };
}
