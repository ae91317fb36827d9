/** What every invariant check reads, and what it reports. */
import type { Cluster } from '../cluster.ts';
import type { History } from '../history.ts';

export interface CheckInput {
  cluster: Cluster;
  history: History;
  /** Per vendor-side edit and replica: ms until the replica served it. */
  convergenceMs: number[];
}

export interface Violation {
  /** The history's operation ids involved (may be empty for a fact of the systems of record alone). */
  ops: number[];
  detail: string;
}

export interface InvariantResult {
  id: number;
  name: string;
  /** How many things were checked (writes, keys, reads, events…), to show the check was not empty. */
  checked: number;
  violations: Violation[];
  /** Figures the invariant measures (e.g. convergence percentiles), printed beside it. */
  figures?: Record<string, number | string>;
}
