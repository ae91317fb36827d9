/**
 * Messages between the bench driver and the processes it forks (sandbox, gateway,
 * baseline). Measurements travel over the IPC channel so the gateway under test serves
 * exactly the production routes and nothing bench-only.
 */
import type { SystemName } from '@switchboard/sandbox';

export interface LatencyProfile {
  name: 'realistic' | 'zero';
  /** Mean added latency per system, ms. */
  latencyMs: Record<SystemName, number>;
  /** Share of the mean used as ± uniform jitter. */
  jitter: number;
}

/** Facts about the seeded world the driver needs to pick inputs and compute minimums. */
export interface WorldFacts {
  contacts: number;
  /** Owner IDs, for W4's rotating filters. */
  ownerIds: string[];
  lifecycleStages: string[];
  /** Slack users, bots and deactivated ones included: what `users.list` pages through. */
  chatUsers: number;
  /** A contact whose billing customer carries `metadata.hubspot_contact_id` (W2's input). */
  linkedContactId: string;
  /** Contacts W3 writes to, far from the first page so W1's figures are undisturbed. */
  writableContactIds: string[];
}

export type SandboxRequestMsg =
  | { type: 'facts'; id: number }
  /** For the given contacts: how many have a metadata-linked customer. */
  | { type: 'metadata-linked'; id: number; contactIds: string[] };

export type SandboxReplyMsg =
  | { type: 'ready'; urls: Record<SystemName, string>; credentials: Record<SystemName, string>; worldMs: number }
  | { type: 'reply'; id: number; value: unknown };

export type GatewayRequestMsg =
  /** Starts a measurement window: peak RSS and event-loop delay restart from here. */
  | { type: 'window-start'; id: number }
  /** Ends the window: peak RSS, event-loop delay p99 since `window-start`. */
  | { type: 'window-end'; id: number }
  /** Heap used after two full GCs. */
  | { type: 'heap-after-gc'; id: number }
  /** The process's CPU time and the requests it has answered, so far (a `CpuMark`). */
  | { type: 'cpu-mark'; id: number };

/**
 * CPU per request is the difference of two marks taken while a load runs: in flight at both,
 * in the steady state, are as many requests as partly done, so what they cost cancels out.
 */
export interface CpuMark {
  /** User + system time of the whole process (every thread), ms. */
  cpuMs: number;
  /** Responses sent to the end. */
  answered: number;
}

export interface WindowStats {
  peakRssMb: number;
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
}

export type GatewayReplyMsg =
  { type: 'ready'; url: string } | { type: 'reply'; id: number; value: unknown } | { type: 'error'; message: string };
