/**
 * When the upstream calls that answered a read began. A read may be answered by an identical
 * call another request began earlier (src/upstream/coalesce.ts): what it returns is then as old
 * as that call, and a write fenced in between (cache/store.ts) may be missing from it. Cache
 * fills date what they store by this, not by when they themselves began; a read that must see
 * every write fenced before it (a loader's) asks again `alone`, joining no earlier call.
 *
 * Carried in AsyncLocalStorage because the call that joined sits several layers below the
 * cache fill (loader → connector → upstream client), none of which should pass dates along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface Reads {
  begunAt: number;
  /** Calls in flight begun before this are not joined (Infinity: none is). */
  joinSince: number;
  outer: Reads | undefined;
}

const current = new AsyncLocalStorage<Reads>();

/**
 * Runs `read` and tells when the oldest upstream call that answered it began (when `read`
 * began, unless it joined an older call). `joinSince`: its calls join no call in flight that
 * began before this moment (Infinity: none at all); an outer read's bound holds inside too.
 */
export async function timeReads<T>(read: () => Promise<T>, joinSince = Number.NEGATIVE_INFINITY): Promise<{ value: T; begunAt: number }> {
  const outer = current.getStore();
  const reads: Reads = { begunAt: Date.now(), joinSince: Math.max(joinSince, outer?.joinSince ?? Number.NEGATIVE_INFINITY), outer };
  const value = await current.run(reads, read);
  return { value, begunAt: reads.begunAt };
}

/** The upstream client's report: the call that answered the current read began at `at`. */
export function answeredByCallBegunAt(at: number): void {
  for (let reads = current.getStore(); reads; reads = reads.outer) if (at < reads.begunAt) reads.begunAt = at;
}

/** The earliest start of a call in flight the current read may join. */
export const joinableSince = (): number => current.getStore()?.joinSince ?? Number.NEGATIVE_INFINITY;

/** Runs a write's reads on calls of their own: what a write decides must not rest on a read begun before it. */
export const readingAfresh = <T>(run: () => Promise<T>): Promise<T> => timeReads(run, Number.POSITIVE_INFINITY).then(({ value }) => value);

/**
 * Runs reads that must see everything the vendors applied before `since` (a change event's
 * record): they may join calls begun since, never one begun before.
 */
export const readingSince = <T>(since: number, run: () => Promise<T>): Promise<T> => timeReads(run, since).then(({ value }) => value);
