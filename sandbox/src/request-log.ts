/** The request log every sandbox server keeps: counts by route, the last entries, and listeners for the whole timeline. */
import type { GateRelease } from './gates.ts';

export interface RequestLogEntry {
  /** When the request arrived (ms since the epoch, fractional). */
  at: number;
  /** When its answer was written (ms since the epoch, fractional); absent until then. */
  answeredAt?: number;
  method: string;
  path: string;
  /** The query string, `?…`, or '' (lets a benchmark replay the exact call). */
  search: string;
  /** The request body as text, when there was one. */
  body?: string;
  route: string;
  status: number;
  /** The W3C `traceparent` header the request carried (tests check the gateway propagates its trace). */
  traceparent?: string;
  /** Set when a gate held the answer (see gates.ts): what let it go. */
  heldUntil?: GateRelease;
}

export class RequestLog {
  total = 0;
  readonly byRoute = new Map<string, number>();
  readonly entries: RequestLogEntry[] = [];
  private readonly listeners = new Set<(entry: RequestLogEntry) => void>();

  /** Every entry from now on, as it is recorded: a long run (the soak) keeps the whole timeline that the bounded log drops. */
  onRecord(listener: (entry: RequestLogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(entry: RequestLogEntry): void {
    for (const listener of this.listeners) listener(entry);
    this.total++;
    this.byRoute.set(entry.route, (this.byRoute.get(entry.route) ?? 0) + 1);
    this.entries.push(entry);
    // Bounded: a benchmark sends millions of requests, and only counts matter there.
    if (this.entries.length > 1000) this.entries.splice(0, this.entries.length - 1000);
  }

  count(route?: string): number {
    return route === undefined ? this.total : (this.byRoute.get(route) ?? 0);
  }

  reset(): void {
    this.total = 0;
    this.byRoute.clear();
    this.entries.length = 0;
  }

  toJSON() {
    return { total: this.total, byRoute: Object.fromEntries(this.byRoute), recent: this.entries.slice(-100) };
  }
}
