/**
 * `loader.batch` spans: one per DataLoader batch.
 *
 * DataLoader runs a batch function a tick after the first `load` of the batch, in the async
 * context of that first load: so the batch span's parent is the span of whichever caller asked
 * first (a delegation, or another batch whose answer led to this one). The batch serves other
 * callers too — other delegations, the look-ahead — and their spans are added as links rather
 * than parents (a span has one parent). `linkCallers` notes them as they call `load`.
 */
import type DataLoader from 'dataloader';
import { activeSpan, ATTR, inSpan, SPAN, type Span, SpanKind } from './spans.ts';

/** The spans that called a loader since its last batch began: the batch links to them. */
export interface BatchCallers {
  take(): Span[];
}

/**
 * Notes the active span of each `load` (and `loadMany`, which calls `load`) of `loader`, when
 * the loader is made inside a traced request; otherwise leaves the loader as it is.
 */
export function linkCallers<K, V, C>(loader: DataLoader<K, V, C>): BatchCallers | undefined {
  if (!activeSpan()) return undefined;
  const spans = new Set<Span>();
  const load = loader.load.bind(loader);
  loader.load = (key: K) => {
    const span = activeSpan();
    if (span) spans.add(span);
    return load(key);
  };
  return {
    take() {
      const taken = [...spans];
      spans.clear();
      return taken;
    },
  };
}

/**
 * Runs one batch in a `loader.batch` span (when traced): `system` and `resource` name the loader,
 * `size` is the number of keys. The work adds what it learns (cache hits, misses) to the span.
 * `startTime` (ms since the epoch) dates a span started part-way into its batch.
 */
export function inBatchSpan<T>(
  system: string | undefined,
  resource: string,
  size: number,
  work: (span: Span | undefined) => Promise<T>,
  options: { callers?: BatchCallers; startTime?: number } = {},
): Promise<T> {
  const { callers, startTime } = options;
  const parent = callers && activeSpan();
  const links = parent ? callers.take().filter((span) => span !== parent) : [];
  return inSpan(
    SPAN.loaderBatch,
    {
      kind: SpanKind.INTERNAL,
      ...(startTime === undefined ? {} : { startTime }),
      ...(links.length > 0 ? { links: links.map((span) => ({ context: span.spanContext() })) } : {}),
    },
    work,
    () => ({ [ATTR.system]: system ?? 'unknown', [ATTR.resource]: resource, [ATTR.batchSize]: size }),
  );
}
