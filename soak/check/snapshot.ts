/**
 * What the write checks judge against, read once per run after the gateway has settled: the
 * vendors' records and the gateway's keys and audit log.
 */
import type { CheckInput } from './types.ts';
import { readGatewayStore, type GatewayStore } from './gateway-store.ts';
import { readRecords, type Records } from './records.ts';
import { runStart } from './history-views.ts';
import { settle } from './settle.ts';

export interface Snapshot {
  records: Records;
  store: GatewayStore;
  /** False when a replica was still executing (or a key still leased) when the checker gave up waiting. */
  settled: boolean;
  /** When the run's first operation was sent (ms). */
  start: number;
}

const snapshots = new WeakMap<CheckInput, Promise<Snapshot>>();

export function snapshot(input: CheckInput): Promise<Snapshot> {
  let taken = snapshots.get(input);
  if (!taken) {
    taken = (async () => {
      const settled = await settle(input.cluster);
      const [records, store] = await Promise.all([readRecords(input.cluster), readGatewayStore(input.cluster.schema)]);
      return { records, store, settled, start: runStart(input.history) };
    })();
    snapshots.set(input, taken);
  }
  return taken;
}
