/** What a caller gives an upstream client, and what it gets back beyond the plain UpstreamClient. */
import type { Logger } from 'pino';
import type { QuotaBudget } from './budget.ts';
import type { UpstreamAttemptEvent, UpstreamClient, VendorProfile } from './types.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** The last failure a system's client saw, for /readiness. */
export interface LastUpstreamError {
  code: string;
  message: string;
  route: string;
  at: string;
}

export interface UpstreamClientOptions {
  profile: VendorProfile;
  /** Vendor base URL, may carry a path prefix (e.g. `https://slack.com/api`). */
  baseUrl: string;
  /** Passed to `profile.authHeaders`; never logged. */
  credential: string;
  /** Deadline for one attempt, body included. Default 10_000. */
  timeoutMs?: number;
  /** Retries after the first try (so `2` means up to three tries). Default 2. */
  retries?: number;
  /** Keep-alive connections in the pool. Default 32. */
  connections?: number;
  /** Receives one debug line per attempt (system, route, status, duration). */
  logger?: Logger;
  /** Called after every attempt that reached the network layer. Must not throw. */
  onResponse?: (event: UpstreamAttemptEvent) => void;
  /** Concurrent calls to this system. Default: `connections`. */
  bulkhead?: number;
  /** Calls that may wait for a bulkhead slot; more fail UPSTREAM_UNAVAILABLE at once. Default 256. */
  bulkheadQueue?: number;
  /** Consecutive failures that open the breaker. Default 5. */
  breakerThreshold?: number;
  /** How long the breaker stays open before one trial call. Default 5000. */
  breakerHalfOpenMs?: number;
  /** The vendor-quota budget this client draws from; none means unmetered. */
  budget?: QuotaBudget;
  /** Make identical reads in flight at the same moment once. Default true. */
  coalesce?: boolean;
}

export interface ResilientUpstreamClient extends UpstreamClient {
  readonly breakerState: BreakerState;
  readonly lastError: LastUpstreamError | undefined;
  readonly budget: QuotaBudget | undefined;
  /** Reads waiting right now on an identical call another request began (see coalesce.ts). */
  readonly joinedReads: number;
  /** Waits for in-flight requests, then closes the pool's sockets. */
  close(): Promise<void>;
}
