/**
 * Subscriptions over server-sent events, as the gateway serves them (GraphQL over SSE, "distinct
 * connections" mode, Yoga's default): `POST /graphql` with `accept: text/event-stream`; the
 * answer streams `event: next` messages whose `data` is one execution result, then
 * `event: complete`. The stream is one HTTP response: ending the iteration (`break`,
 * `return()`, or the caller's signal) aborts it, which closes the connection, and the gateway
 * ends the subscription on its side.
 */
import type { SwitchboardError } from './errors.ts';
import { toSwitchboardError } from './errors.ts';
import type { WireResult } from './transport.ts';

export interface SubscriptionEvent<TData> {
  data?: TData | null;
  errors?: SwitchboardError[];
  extensions?: Record<string, unknown>;
}

/** An async iterator of a subscription's events that ends its HTTP stream when the caller stops. */
export interface Subscription<TData> extends AsyncIterableIterator<SubscriptionEvent<TData>> {
  /**
   * Opens the stream now (else the first `next()` does) and resolves once the gateway has
   * answered it: changes made after that are delivered. Rejects as `next()` would.
   */
  ready(): Promise<void>;
  return(): Promise<IteratorResult<SubscriptionEvent<TData>, undefined>>;
}

/**
 * `open` starts the request on first `next()`; it resolves with the streaming response, or with
 * the JSON refusal (bad credential, unknown document …), which is delivered as one event with
 * its errors before the iteration ends.
 */
export function subscription<TData>(
  open: (signal: AbortSignal) => Promise<Response | WireResult>,
  signal?: AbortSignal,
): Subscription<TData> {
  const controller = new AbortController();
  const stop = () => controller.abort(signal?.reason);
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  let opened: Promise<Response | WireResult> | undefined;
  const start = () => (opened ??= open(controller.signal));
  const events = read<TData>(start);
  const done = { done: true, value: undefined } as const;
  const finish = () => {
    signal?.removeEventListener('abort', stop);
    controller.abort();
  };

  const iterator: Subscription<TData> = {
    async next() {
      if (controller.signal.aborted) return done;
      try {
        const result = await events.next();
        if (result.done) finish();
        return result.done ? done : result;
      } catch (error) {
        finish();
        // Stopped by the caller: the iteration ends quietly; any other failure is the caller's to see.
        if (controller.signal.aborted && !signal?.aborted) return done;
        throw error;
      }
    },
    async ready() {
      await start();
    },
    async return() {
      finish();
      return done;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

async function* read<TData>(start: () => Promise<Response | WireResult>) {
  const answer = await start();
  if (!(answer instanceof Response)) {
    yield { data: answer.data as TData | null | undefined, errors: answer.errors } as SubscriptionEvent<TData>;
    return;
  }
  for await (const message of messages(answer.body!)) {
    if (message.event === 'complete') return;
    if (message.event !== 'next' || !message.data) continue;
    const payload = JSON.parse(message.data) as { data?: TData | null; errors?: object[]; extensions?: Record<string, unknown> };
    const event: SubscriptionEvent<TData> = { data: payload.data };
    if (payload.errors) event.errors = payload.errors.map((e) => toSwitchboardError(e));
    if (payload.extensions) event.extensions = payload.extensions;
    yield event;
  }
}

/** SSE messages: each ends at a blank line; `event:` names it, `data:` lines are joined; comments (keep-alives) are skipped. */
async function* messages(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const field = (name: string) =>
          lines.filter((l) => l.startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).replace(/^ /, ''));
        const data = field('data');
        if (data.length === 0 && field('event').length === 0) continue;
        yield { event: field('event')[0] ?? 'message', data: data.join('\n') };
      }
    }
  } finally {
    reader.releaseLock();
  }
}
