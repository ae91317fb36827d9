/**
 * A failed request is one log line, at the level of whoever must act (client mistake: info;
 * upstream trouble: warn; gateway bug: error), carrying the request ID, operation name and
 * principal ID.
 */
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rememberMaskedCause } from '../src/errors.ts';
import { logOutcome } from '../src/plugins/use-request-log.ts';
import { startStack, type Stack } from './support/stack.ts';
import { captureLog, LEVEL, type CapturedLog } from './support/log-capture.ts';

describe('request logs', () => {
  let stack: Stack;
  let log: CapturedLog;
  beforeAll(async () => {
    log = captureLog('info');
    stack = await startStack({
      world: { size: 40 },
      logger: log.logger,
      env: { CACHE_TTL_DEFAULT: '0', UPSTREAM_BREAKER_THRESHOLD: '1000' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    await stack.sandbox.server('billing').resetAll();
    log.clear();
  });

  const cases: [string, string, Record<string, string> | undefined, string][] = [
    ['no credential (401)', 'query Contacts { contacts(first: 1) { totalCount } }', { authorization: '' }, 'UNAUTHENTICATED'],
    ['an unknown record', 'query Missing { contact(id: "99999999") { email } }', undefined, 'NOT_FOUND'],
    ['a bad cursor', 'query BadCursor { deals(first: 2, after: "bad") { totalCount } }', undefined, 'BAD_USER_INPUT'],
    ['a field that does not exist', 'query Nope { nope }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
  ];
  for (const [name, query, headers, code] of cases) {
    it(`logs ${name} once, at info, with the request ID, operation and principal`, async () => {
      const result = await stack.query(query, undefined, { 'x-request-id': `client-mistake-${code}`, ...headers });
      expect(result.errors?.[0]?.extensions?.code).toBe(code);
      expect(result.headers.get('x-request-id')).toBe(`client-mistake-${code}`);
      expect(log.lines.filter((l) => l.level >= LEVEL.warn)).toEqual([]);
      const lines = log.of(`client-mistake-${code}`);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: LEVEL.info, codes: [code] });
      expect(log.lines).toHaveLength(1);
      if (code !== 'UNAUTHENTICATED') {
        expect(lines[0]).toMatchObject({ operationName: query.split(' ')[1], principalId: 'api-key:test-suite' });
      }
    });
  }

  it('logs an upstream outage that fails many fields as one warning under the request ID', async () => {
    await stack.sandbox.server('billing').setKnobs({ outage: 'refuse' });
    const result = await stack.query('query Linked { contacts(first: 5) { nodes { email billingCustomer { id } } } }', undefined, {
      'x-request-id': 'billing-down',
    });
    expect(result.errors!.length).toBeGreaterThan(1);
    expect(log.lines.filter((l) => l.level >= LEVEL.error)).toEqual([]);
    const lines = log.lines.filter((l) => l.level >= LEVEL.info);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: LEVEL.warn,
      requestId: 'billing-down',
      operationName: 'Linked',
      principalId: 'api-key:test-suite',
    });
    expect(lines[0].errorCount).toBe(result.errors!.length);
  });

  it('logs a gateway bug at error with the original error, and the client sees only INTERNAL_SERVER_ERROR', () => {
    const bug = new TypeError('cannot read properties of undefined');
    const masked = new GraphQLError('Unexpected error.', { path: ['contact'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    rememberMaskedCause(masked, bug);
    logOutcome(log.logger.child({ requestId: 'bug' }), [
      masked,
      new GraphQLError('No such contact', { extensions: { code: 'NOT_FOUND' } }),
    ]);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatchObject({ level: LEVEL.error, requestId: 'bug', codes: ['INTERNAL_SERVER_ERROR', 'NOT_FOUND'] });
    expect((log.lines[0].err as { stack: string }).stack).toContain('cannot read properties of undefined');
  });
});
