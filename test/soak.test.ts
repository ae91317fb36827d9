/**
 * The short soak (`npm run soak` for one minute): two production replicas sharing Redis and
 * PostgreSQL under the seeded workload and nemesis, then every invariant checked against the
 * systems of record. The full run (8 minutes, ≥ 10,000 operations) is `npm run soak`; its
 * result is quoted in the README. A failure prints the seed and leaves the history and the
 * replicas' logs in the directory it names, so the run can be replayed (`SOAK_SEED`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../soak/options.ts';
import { soak } from '../soak/run.ts';
import { hasService } from './support/services.ts';

describe.runIf(hasService('redis-server') && hasService('postgres'))('a one-minute soak under faults', () => {
  it('checks every invariant against the systems of record, and none is violated', async () => {
    const seed = process.env.SOAK_SEED ?? '20261207';
    const out = mkdtempSync(join(tmpdir(), `soak-${seed}-`));
    const outcome = await soak({ ...parseOptions(['--minutes', '1', '--seed', seed]), out });
    expect(outcome.results.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const result of outcome.results) {
      expect(result.checked, `invariant ${result.id} (${result.name}) checked nothing`).toBeGreaterThan(0);
      expect(result.violations, `invariant ${result.id} (${result.name}); seed ${seed}, history in ${out}`).toEqual([]);
    }
    expect(outcome.operations).toBeGreaterThan(100);
  }, 360_000);
});
