/**
 * The opt-in cost trace of one GraphQL request: every upstream call it made (system, route,
 * status, ms, retried or coalesced), its cache hits and misses per system, and the quota
 * it used. Analysts ask for it with the `x-switchboard-trace: 1` header and read it in the
 * response's `extensions.trace`.
 *
 * It is collected by wrapping, per request, the upstream client and the cache the request's
 * loaders use, so nothing shared needs to know which request it serves.
 */
import type { ResourceCache } from '../cache/types.ts';
import type { SystemName } from '../errors.ts';
import { SYSTEM_NAMES } from '../systems/catalog.ts';
import type { UpstreamAttemptEvent, UpstreamClient } from '../upstream/types.ts';

export const TRACE_HEADER = 'x-switchboard-trace';

export interface TracedCall {
  system: SystemName;
  route: string;
  status: number | 'error';
  ms: number;
  retried: boolean;
  coalesced?: boolean;
  error?: string;
}

export interface TraceReport {
  upstream: TracedCall[];
  cache: Record<SystemName, { hits: number; misses: number }>;
  /** Vendor quota this request used (calls that reached the vendor), and what is left per bucket. */
  budget: Record<SystemName, { used: number; left?: Record<string, number> }>;
  totalUpstreamMs: number;
  /** The OpenTelemetry trace this request's spans belong to, when tracing is on (use-tracing.ts). */
  traceId?: string;
}

export class RequestTrace {
  /** Set by the tracing plugin when the request is traced. */
  traceId?: string;
  private readonly calls: TracedCall[] = [];
  private readonly cache = Object.fromEntries(SYSTEM_NAMES.map((system) => [system, { hits: 0, misses: 0 }])) as TraceReport['cache'];

  recordAttempt(event: UpstreamAttemptEvent): void {
    this.calls.push({
      system: event.system,
      route: event.route,
      status: event.status,
      ms: event.durationMs,
      retried: event.retried,
      ...(event.coalesced ? { coalesced: true } : {}),
      ...(event.errorCode ? { error: event.errorCode } : {}),
    });
  }

  recordCache(system: SystemName, hits: number, misses: number): void {
    this.cache[system].hits += hits;
    this.cache[system].misses += misses;
  }

  report(budgetLeft: (system: SystemName) => Record<string, number> | undefined): TraceReport {
    const budget = Object.fromEntries(
      SYSTEM_NAMES.map((system) => {
        const used = this.calls.filter((call) => call.system === system && !call.coalesced && call.status !== 'error').length;
        const left = budgetLeft(system);
        return [system, left ? { used, left } : { used }];
      }),
    ) as TraceReport['budget'];
    const totalUpstreamMs = Math.round(this.calls.filter((c) => !c.coalesced).reduce((sum, c) => sum + c.ms, 0) * 10) / 10;
    return {
      upstream: [...this.calls],
      cache: structuredClone(this.cache),
      budget,
      totalUpstreamMs,
      ...(this.traceId ? { traceId: this.traceId } : {}),
    };
  }
}

/** Whether the client asked for a trace. */
export function wantsTrace(request: Request): boolean {
  const value = request.headers.get(TRACE_HEADER)?.trim().toLowerCase();
  return value === '1' || value === 'true';
}

/** The same client, reporting this request's attempts to `trace`. */
export function tracedClient(client: UpstreamClient, trace: RequestTrace): UpstreamClient {
  return {
    system: client.system,
    request: (request) =>
      client.request({
        ...request,
        onAttempt: (event) => {
          trace.recordAttempt(event);
          request.onAttempt?.(event);
        },
      }),
  };
}

/** The same cache, counting this request's hits and misses into `trace`. */
export function tracedCache(cache: ResourceCache, system: SystemName, trace: RequestTrace): ResourceCache {
  return {
    system,
    async getMany<T>(resource: string, ids: readonly string[]) {
      const rows = await cache.getMany<T>(resource, ids);
      const hits = rows.filter((row) => row !== undefined).length;
      trace.recordCache(system, hits, rows.length - hits);
      return rows;
    },
    setMany: (resource, entries, fetchedSince) => cache.setMany(resource, entries, fetchedSince),
    fencedSince: (resource, ids, since) => cache.fencedSince(resource, ids, since),
    delete: (resource, ids) => cache.delete(resource, ids),
  };
}
