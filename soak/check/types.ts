/** What every invariant check reads, and what it reports. */
import type { Cluster } from '../cluster.ts';
import type { History } from '../history.ts';
import type { ContactChange } from '../crm-changes.ts';
import type { FannedOut } from '../feed-tap.ts';
import type { ContactEvent, Spell } from '../subscribers.ts';

export interface CheckInput {
  cluster: Cluster;
  history: History;
  /** Per vendor-side edit and replica: ms until the replica served it. */
  convergenceMs: number[];
  /** What the subscribers heard and what the vendor changed meanwhile (invariant 6); absent when none ran. */
  live?: LiveRecord;
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

export interface LiveRecord {
  events: readonly ContactEvent[];
  spells: readonly Spell[];
  /** The vendor's own log of contact changes over the run. */
  changes: readonly ContactChange[];
  /** Log entries that were gone before they were read: spells they fall in cannot be judged. */
  lostChanges: number;
  /** The contact changes the replicas fanned out to each other, to name a duplicate's causes. */
  fanOut?: readonly FannedOut[];
}
