/** The shape of the bench's results: what bench/run.ts measures and bench/report.ts renders. */
import type { SystemName } from '@switchboard/sandbox';
import type { EmbeddedStoreFigures } from './embedded-store.ts';
import type { LoadResult } from './load.ts';
import type { Machine } from './machine.ts';
import type { ReplayResult } from './replay.ts';
import type { CpuMark, WindowStats } from './protocol.ts';
import type { Latencies, WorkloadName } from './workloads.ts';

export interface CountRow {
  workload: WorkloadName;
  cold: Record<SystemName, number>;
  warm: number;
  minimum: number;
  naive: number;
  note: string;
}

export interface LatencyRow {
  workload: WorkloadName;
  /** Which gateway served it: every TTL 0 (cold) or the normal cache (warm). */
  cache: 'cold' | 'warm';
  connections: number;
  floor: number;
  result: LoadResult;
  stats: WindowStats;
  upstreamPerOp: number;
}

export interface ThroughputRow {
  workload: WorkloadName;
  profile: 'realistic' | 'zero';
  cold: LoadResult;
  warm: LoadResult;
  coldUpstreamPerOp: number;
  warmUpstreamPerOp: number;
}

/** One workload executed (records-only gateway, zero latency, c=50), and plain Yoga over the same requests. */
export interface ExecutedRun {
  workload: WorkloadName;
  executing: LoadResult;
  /** The executing gateway's window (its peak RSS). */
  stats: WindowStats;
  /** The executing gateway's CPU over the requests it answered, between two marks in the run (bench/phases.ts). */
  cpu: CpuMark;
  /** Upstream requests per executed request: near 0 when the record caches are warm. */
  upstreamPerOp: number;
  baseline: LoadResult;
}

/** A cold run (every TTL 0, realistic latency) of a workload outside the latency table: the query mix. */
export interface ColdRun {
  connections: number;
  result: LoadResult;
  stats: WindowStats;
  upstreamPerOp: number;
}

/** A target of an issue, as judged from the measured figures. */
export interface Target {
  name: string;
  measured: string;
  met: boolean;
}

export interface SoakRound {
  round: number;
  result: LoadResult;
  stats: WindowStats;
  heapAfterGcMb: number | null;
}

export interface Report {
  machine: Machine;
  startedAt: string;
  durationS: number;
  settings: {
    writeStore: string;
    /** How the gateways ran: as `npm start` runs the gateway. */
    gatewayRuntime: string;
    quick: boolean;
    loadS: number;
    contacts: number;
    realistic: Latencies;
    jitter: number;
    soak: { rounds: number; loadS: number; calmS: number; connections: number };
  };
  w3Skipped?: string;
  /** Cold requests per vendor route, per workload. */
  routes: Record<string, Record<string, number>>;
  loadAverageAtEnd: number;
  readYourWrite?: boolean;
  /** The Slack users directory each gateway keeps: its size, pages per read, and users.list calls the gateways made starting. */
  directory: { users: number; pages: number; callsAtStart: number; gateways: number };
  counts: CountRow[];
  /** Each workload's cold upstream calls replayed with nothing in between (bench/replay.ts). */
  replays: ({ workload: WorkloadName } & ReplayResult)[];
  latency: LatencyRow[];
  throughput: ThroughputRow[];
  /** gateway: as deployed (response cache on); gatewayExecuting: every request executed over warm record caches. */
  baseline: { workload: WorkloadName; gateway: LoadResult; gatewayExecuting: LoadResult; gatewayCold: LoadResult; baseline: LoadResult }[];
  /** Issue 16: W1, W2, W4 and the mix executed, beside plain Yoga. */
  executed: ExecutedRun[];
  /** The query mix: its distinct operations, and its cold runs at c=1 and c=10 (its replay is in `replays`). */
  mix: { operations: number; cold: ColdRun[] };
  memory: { idleRssMb: number; peakRssMb: number; heapAtStartMb: number | null; heapAfterLoadMb: number | null; eventLoopP99Ms: number };
  soak: SoakRound[];
  /** The embedded write store (no DATABASE_URL) in a gateway started as `npm start` starts it (bench/embedded-store.ts). */
  embeddedStore?: EmbeddedStoreFigures;
}
