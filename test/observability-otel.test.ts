/**
 * OpenTelemetry traces, read back from an in-process OTLP/HTTP receiver: W1 with a client's
 * `traceparent` gives one operation span in the client's trace, a delegation span per system,
 * loader batches, and one upstream attempt span per call the sandbox saw, each call carrying
 * a `traceparent` of that trace. With no endpoint configured, nothing is registered or sent.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { context, createContextKey, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.ts';
import { startStack, type Stack } from './support/stack.ts';

const W1 = readFileSync(new URL('../documents/W1ContactsWithLinks.graphql', import.meta.url), 'utf8');
const SYSTEMS = ['crm', 'billing', 'chat'] as const;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const clientParent = () => ({ traceId: hex(16), spanId: hex(8) });
const traceparentOf = ({ traceId, spanId }: { traceId: string; spanId: string }) => `00-${traceId}-${spanId}-01`;

/** Every upstream request the sandbox logged since the last reset, with the traceparent it carried. */
function sandboxRequests(stack: Stack) {
  return SYSTEMS.flatMap((system) => stack.sandbox.server(system).requests.entries.map((entry) => ({ system, ...entry })));
}

function ancestors(span: ReceivedSpan, byId: Map<string, ReceivedSpan>): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId ?? ''); parent; parent = byId.get(parent.parentSpanId ?? '')) chain.push(parent);
  return chain;
}

/** Whether a context manager is registered: the API's no-op one never makes a context active. */
function contextManagerRegistered(): boolean {
  const probe = createContextKey('probe');
  return context.with(ROOT_CONTEXT.setValue(probe, true), () => context.active().getValue(probe) === true);
}

describe('OpenTelemetry traces of W1, exported over OTLP/HTTP', () => {
  let receiver: OtlpReceiver;
  let stack: Stack;
  let spans: ReceivedSpan[];
  let operation: ReceivedSpan;
  const client = clientParent();
  let requests: ReturnType<typeof sandboxRequests>;
  let extensions: Record<string, unknown> | undefined;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startStack({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'switchboard-test' } });
    stack.resetCounts();
    const result = await stack.query(W1, undefined, { traceparent: traceparentOf(client), 'x-switchboard-trace': '1' });
    expect(result.errors).toBeUndefined();
    extensions = result.extensions;
    requests = sandboxRequests(stack);
    await stack.gateway.tracing!.forceFlush();
    spans = receiver.spans.filter((span) => span.traceId === client.traceId);
    operation = spans.find((span) => span.name === 'graphql.operation')!;
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it("records exactly one operation span, in the client's trace, child of the client's span", () => {
    expect(spans.filter((span) => span.name === 'graphql.operation')).toHaveLength(1);
    expect(operation.parentSpanId).toBe(client.spanId);
    expect(operation.serviceName).toBe('switchboard-test');
    expect(operation.attributes).toMatchObject({ 'graphql.operation.name': 'W1ContactsWithLinks', 'graphql.operation.type': 'query' });
    expect(operation.attributes['graphql.document.hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(operation.statusCode).not.toBe(2);
  });

  it('records a delegation span per system, each a child of the operation span', () => {
    const delegations = spans.filter((span) => span.name === 'graphql.delegate');
    expect(new Set(delegations.map((span) => span.attributes['switchboard.system']))).toEqual(new Set(SYSTEMS));
    for (const span of delegations) expect(span.parentSpanId).toBe(operation.spanId);
  });

  it('records one upstream attempt span per request the sandbox saw, with system, method, route template, status and retry number', () => {
    const attempts = spans.filter((span) => span.name === 'upstream.attempt');
    expect(requests.length).toBeGreaterThan(0);
    expect(attempts).toHaveLength(requests.length);
    for (const system of SYSTEMS) {
      expect(attempts.filter((span) => span.attributes['switchboard.system'] === system)).toHaveLength(
        requests.filter((request) => request.system === system).length,
      );
    }
    for (const span of attempts) {
      const { attributes } = span;
      expect(attributes).toMatchObject({ 'switchboard.upstream.attempt': 1, 'http.request.resend_count': 0 });
      expect(attributes['switchboard.upstream.coalesced']).toBe(false);
      expect(attributes['http.response.status_code']).toBe(200);
      expect(typeof attributes['switchboard.budget.wait_ms']).toBe('number');
      // The template, never the path: no query string, no email, and it starts with the method.
      const template = String(attributes['url.template']);
      expect(template.startsWith(`${String(attributes['http.request.method'])} /`)).toBe(true);
      expect(template).not.toMatch(/[?@]/);
    }
  });

  it('keeps parent links intact: every upstream attempt descends from a delegation and the operation, loader batches in between', () => {
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const attempts = spans.filter((span) => span.name === 'upstream.attempt');
    for (const span of attempts) {
      const chain = ancestors(span, byId);
      expect(chain.at(-1)).toBe(operation);
      expect(chain.some((parent) => parent.name === 'graphql.delegate')).toBe(true);
    }
    // Billing's customers and chat's directory are read in loader batches: attempt → batch → delegation → operation.
    const underBatch = attempts.filter((span) => byId.get(span.parentSpanId!)?.name === 'loader.batch');
    expect(underBatch.length).toBeGreaterThan(0);
    for (const span of underBatch) {
      const batch = byId.get(span.parentSpanId!)!;
      expect(batch.attributes).toMatchObject({ 'switchboard.system': span.attributes['switchboard.system'] });
      expect(batch.attributes['switchboard.loader.batch_size']).toBeGreaterThan(0);
      expect(typeof batch.attributes['switchboard.loader.resource']).toBe('string');
    }
    // Batches that read through the cross-request cache say how much of the batch it answered.
    const billingBatch = underBatch
      .map((span) => byId.get(span.parentSpanId!)!)
      .find((batch) => batch.attributes['switchboard.system'] === 'billing');
    expect(billingBatch?.attributes).toMatchObject({ 'switchboard.cache.hits': 0 });
    expect(billingBatch?.attributes['switchboard.cache.misses']).toBe(billingBatch?.attributes['switchboard.loader.batch_size']);
  });

  it('sends each upstream request a traceparent naming its own attempt span, in the same trace', () => {
    const attemptIds = new Set(spans.filter((span) => span.name === 'upstream.attempt').map((span) => span.spanId));
    for (const request of requests) {
      expect(request.traceparent).toMatch(new RegExp(`^00-${client.traceId}-[0-9a-f]{16}-01$`));
      expect(attemptIds.has(request.traceparent!.split('-')[2])).toBe(true);
    }
  });

  it('records a retried call as two attempt spans: the 503 failed with its code, the retry numbered 1 with its 200', async () => {
    const id = stack.sandbox.world.customers.at(-1)!.id;
    const parent = clientParent();
    stack.resetCounts();
    stack.sandbox.server('billing').script([{ status: 503, body: { error: { type: 'api_error', message: 'try later' } } }]);
    const result = await stack.query<{ customer: { id: string } }>(`{ customer(id: "${id}") { id } }`, undefined, {
      traceparent: traceparentOf(parent),
    });
    expect(result.data?.customer.id).toBe(id);
    await stack.gateway.tracing!.forceFlush();
    const attempts = receiver.spans.filter((span) => span.traceId === parent.traceId && span.name === 'upstream.attempt');
    expect(attempts.map((span) => span.attributes)).toEqual([
      expect.objectContaining({
        'switchboard.upstream.attempt': 1,
        'http.request.resend_count': 0,
        'http.response.status_code': 503,
        'error.type': 'UPSTREAM_UNAVAILABLE',
      }),
      expect.objectContaining({ 'switchboard.upstream.attempt': 2, 'http.request.resend_count': 1, 'http.response.status_code': 200 }),
    ]);
    expect(attempts.map((span) => span.statusCode)).toEqual([2, 0]);
    const logged = stack.sandbox.server('billing').requests.entries;
    expect(logged.map((entry) => entry.traceparent?.split('-')[2])).toEqual(attempts.map((span) => span.spanId));
  });

  it('adds the trace id to the opt-in extensions trace shown in GraphiQL', () => {
    expect((extensions?.trace as { traceId?: string } | undefined)?.traceId).toBe(client.traceId);
  });

  it('property: any traceparent a client sends is continued when valid, and otherwise a trace starts at the gateway', async () => {
    const valid = fc.record({ traceId: fc.stringMatching(/^[0-9a-f]{32}$/), spanId: fc.stringMatching(/^[0-9a-f]{16}$/) });
    const header = fc.oneof(
      valid.map((parent) => ({ header: traceparentOf(parent), parent })),
      fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((text) => ({ header: text, parent: undefined })),
    );
    await fc.assert(
      fc.asyncProperty(header, async ({ header: value, parent }) => {
        // All-zero ids are invalid by the W3C spec: such a header starts a new trace too.
        const continued = parent && !/^0+$/.test(parent.traceId) && !/^0+$/.test(parent.spanId) ? parent : undefined;
        const before = receiver.spans.length;
        const result = await stack.query('{ __typename }', undefined, { traceparent: value, 'x-switchboard-trace': '1' });
        expect(result.status).toBe(200);
        await stack.gateway.tracing!.forceFlush();
        const operations = receiver.spans.slice(before).filter((span) => span.name === 'graphql.operation');
        expect(operations).toHaveLength(1);
        const [span] = operations;
        expect((result.extensions?.trace as { traceId?: string } | undefined)?.traceId).toBe(span.traceId);
        if (continued) {
          expect(span.traceId).toBe(continued.traceId);
          expect(span.parentSpanId).toBe(continued.spanId);
        } else {
          expect(span.parentSpanId).toBeUndefined();
        }
      }),
      { seed: 20261207, numRuns: 30 },
    );
  });
});

describe('with no OTLP endpoint configured', () => {
  let receiver: OtlpReceiver;
  let stack: Stack;
  let closed = false;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startStack();
  });
  afterAll(async () => {
    if (!closed) await stack?.close();
    await receiver?.close();
  });

  it('registers no tracer provider and no context manager, records no span, and sends no traceparent upstream', async () => {
    expect(stack.gateway.tracing).toBeUndefined();
    stack.resetCounts();
    const client = clientParent();
    const result = await stack.query(W1, undefined, { traceparent: traceparentOf(client), 'x-switchboard-trace': '1' });
    expect(result.errors).toBeUndefined();
    expect((result.extensions?.trace as { traceId?: string } | undefined)?.traceId).toBeUndefined();
    const requests = sandboxRequests(stack);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((request) => request.traceparent !== undefined)).toEqual([]);
    // The global provider is the API's proxy with no SDK provider behind it.
    const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
    expect(provider.getDelegate?.()?.constructor.name).toBe('NoopTracerProvider');
    expect(contextManagerRegistered()).toBe(false);
    closed = true;
    await stack.close();
    expect(receiver.posts).toBe(0);
  });
});
