/**
 * Admission control: at most `maxConcurrent` queries and mutations execute at once, up to
 * `maxQueued` more wait for a slot in arrival order, and beyond that the gateway answers
 * 503 OVERLOADED with `Retry-After` at once. A gateway's memory grows with the work in
 * flight (upstream bodies, partial results, stitched trees), so bounding that work is what
 * makes the heap budget safe under any load; past a few dozen operations more concurrency
 * buys no throughput on a CPU-bound process, only memory and latency for everyone.
 *
 * Waiting counts against the request's deadline: an operation still queued when its
 * deadline passes (or its client goes away) is answered OVERLOADED and never starts, so a
 * mutation is either run whole or not sent at all. Subscriptions are not admitted here:
 * they hold no execution between events. Installed before the response cache, so a cached
 * answer never waits for a slot.
 */
import { isAsyncIterable, onStreamEnd } from '../gateway/streams.ts';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.ts';
import { refusal } from '../errors.ts';

type Refusal = 'queue-full' | 'deadline';

export interface AdmissionOptions {
  maxConcurrent: number;
  maxQueued: number;
  onRejected?: (reason: Refusal) => void;
  /** Called once an operation has its slot, just before it executes (nothing of it has run before). */
  onStart?: (args: ExecutionArgs) => void;
}

export interface Admission {
  plugin: Plugin<GatewayContext>;
  /** Operations executing and waiting, for metrics. */
  load(): { active: number; queued: number };
}

/*
 * A counting semaphore rather than cockatiel's bulkhead (used for upstream calls): the
 * bulkhead keeps a waiter whose signal aborted in its queue until a slot frees, and here
 * that would let callers who are gone hold the queue places live ones need.
 */
export function createAdmission(options: AdmissionOptions): Admission {
  let active = 0;
  // Insertion-ordered: the oldest waiter gets the next free slot.
  const waiting = new Set<() => void>();

  function acquire(signal: AbortSignal): Promise<Refusal | undefined> | Refusal | undefined {
    if (signal.aborted) return 'deadline';
    if (active < options.maxConcurrent) {
      active++;
      return undefined;
    }
    if (waiting.size >= options.maxQueued) return 'queue-full';
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', leave);
        resolve(undefined);
      };
      const leave = () => {
        waiting.delete(grant);
        resolve('deadline');
      };
      waiting.add(grant);
      signal.addEventListener('abort', leave, { once: true });
    });
  }

  function release(): void {
    const next = waiting.values().next();
    if (next.done) {
      active--;
      return;
    }
    // The slot passes straight to the waiter, so `active` stays as it is.
    waiting.delete(next.value);
    next.value();
  }

  async function admit<T>(run: () => Promise<T> | T, args: ExecutionArgs & { contextValue: GatewayContext }): Promise<T | ExecutionResult> {
    const refusal = await acquire(args.contextValue.signal);
    if (refusal) return rejected(refusal);
    // A result in parts (`@defer`) holds its slot until its last part.
    let handedOn = false;
    try {
      options.onStart?.(args);
      const result = await run();
      if (!isAsyncIterable(result)) return result;
      handedOn = true;
      return onStreamEnd(result, release) as T;
    } finally {
      if (!handedOn) release();
    }
  }

  function rejected(reason: Refusal): ExecutionResult {
    options.onRejected?.(reason);
    const message =
      reason === 'queue-full'
        ? `The gateway is at its limit of ${options.maxConcurrent} operations in flight and ${options.maxQueued} waiting; retry shortly.`
        : 'The operation waited for an execution slot until its deadline passed or its client went away; retry shortly.';
    return { errors: [refusal('OVERLOADED', message, { retryAfter: 1 })] };
  }

  return {
    plugin: {
      onExecute({ executeFn, setExecuteFn, args }) {
        setExecuteFn((execArgs) => admit(() => executeFn(execArgs), args) as ReturnType<typeof executeFn>);
      },
    },
    load: () => ({ active, queued: waiting.size }),
  };
}
