/**
 * The GraphQL-over-HTTP conformance audit from the graphql-http package, run against the
 * gateway's full HTTP pipeline.
 */
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUTH_HEADERS } from './support/credentials.ts';
import { startStack, type Stack } from './support/stack.ts';

describe('GraphQL over HTTP conformance (graphql-http server audits)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 50 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('passes every audit with status ok', async () => {
    const audits = serverAudits({
      url: 'http://gateway.test/graphql',
      // A legitimate client: it authenticates, and its GETs carry the CSRF-prevention header.
      fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        for (const [name, value] of Object.entries({ ...TEST_AUTH_HEADERS, 'x-graphql-yoga-csrf': '1' })) request.headers.set(name, value);
        return stack.gateway.yoga.fetch(request);
      },
    });
    expect(audits.length).toBeGreaterThan(20);
    const notOk: string[] = [];
    for (const audit of audits) {
      const result = await audit.fn();
      if (result.status !== 'ok') notOk.push(`${audit.name}: ${result.status} — ${result.reason}`);
    }
    expect(notOk).toEqual([]);
  });
});
