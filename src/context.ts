/**
 * Per-request context. Loaders belong to one request, so nothing that holds one caller's
 * data outlives it; the cross-request cache sits inside them. Each system's loaders and
 * connector are built on the request's first use of that system (src/gateway/request-context.ts).
 */
import type { Principal } from './auth/scopes.ts';
import type { Logger } from './observability/logger.ts';
import type { ChangeFeed } from './changes/types.ts';
import type { RequestTrace } from './observability/trace.ts';
import type { SystemLoaders } from './systems/index.ts';
import type { LookAhead } from './links/look-ahead.ts';
import type { Connectors, WriteRuntime } from './workflows/runtime.ts';

/** Each registered system's per-request loaders, by system name. */
export type Loaders = SystemLoaders;

export interface GatewayContext {
  /** Sent upstream as `x-request-id` and logged with every line of this request. */
  requestId: string;
  /** This request's logger: every line carries the request ID, operation name and principal ID. */
  log: Logger;
  loaders: Loaders;
  /** Where writes report what they changed: invalidates the cache, then notifies subscribers. */
  changes: ChangeFeed;
  /**
   * A fresh context for the same caller: new loaders (which memoize) and a deadline of its own,
   * with the same request ID, principal and client signal (a client that leaves aborts it).
   * Subscriptions resolve each event with one, as they outlive the request that opened them;
   * `dispose` releases its deadline once the event is resolved. With `outliveClient`, only the
   * deadline ends it (a workflow's undo, which must finish although its client left).
   */
  renew?: (options?: { outliveClient?: boolean }) => GatewayContext & { dispose(): void };
  /**
   * Aborts when the request's deadline (REQUEST_DEADLINE_MS) passes or the client goes away;
   * every upstream call of the request carries it, so none outlives the request.
   */
  signal: AbortSignal;
  /** Present when the client asked for a cost trace (`x-switchboard-trace: 1`). */
  trace?: RequestTrace;
  /** Request-scoped connectors for writes (resolvers reach them only through mutation modules). */
  connectors: Connectors;
  /** Durable write state: idempotency records and the audit log. */
  writes: WriteRuntime;
  /** What the operation will ask of other systems, so loaders can start it early (set before execution). */
  lookAhead: LookAhead;
  /** Who is calling (set by the auth plugin before execution); scope checks read it. */
  principal?: Principal;
}
