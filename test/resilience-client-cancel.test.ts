/**
 * A client that hangs up is not an upstream failure: nothing is logged as one, the calls in
 * flight for it are aborted, and no further vendor call is started for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, queryAbortable, startStack, type Stack } from './support/stack.ts';
import { captureLog, LEVEL, type CapturedLog } from './support/log-capture.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await condition()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a client that hangs up mid-request', () => {
  let stack: Stack;
  let log: CapturedLog;
  beforeAll(async () => {
    log = captureLog('info');
    stack = await startStack({
      world: { size: 40 },
      logger: log.logger,
      env: { CACHE_TTL_DEFAULT: '0', CACHE_TTL_CUSTOMER: '0', CACHE_TTL_CONTACT: '0', REQUEST_DEADLINE_MS: '15000' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('is one info line at most, its upstream calls are aborted, and no later vendor call starts', async () => {
    // Stripe is slow: the client gives up while the customers are being read.
    await stack.sandbox.server('billing').setKnobs({ latencyMs: 2_000 });
    stack.resetCounts();
    log.clear();
    const gone = new AbortController();
    const query = 'query Linked { contacts(first: 10) { nodes { email billingCustomer { id invoices { id } } } } }';
    const answer = queryAbortable(stack, query, gone.signal);
    const billing = stack.sandbox.server('billing').requests;
    await until(() => billing.total > 0, 'the first Stripe call');
    const routesAtAbort = billing.entries.map((e) => e.route);
    gone.abort();
    await answer;
    // The operation has ended (so it can start nothing more) and Stripe has answered what it was sent.
    await until(async () => (await metric(stack, 'switchboard_operations{state="active"}')) === 0, 'the operation to end');
    await until(() => billing.entries.every((e) => e.answeredAt !== undefined), 'Stripe to answer');
    await sleep(100);

    // The invoices of a customer can only be asked for once its read answered: none were.
    expect(billing.entries.map((e) => e.route)).toEqual(routesAtAbort);
    expect(log.lines.filter((l) => l.level >= LEVEL.warn)).toEqual([]);
    const info = log.lines.filter((l) => l.level >= LEVEL.info);
    expect(info.length).toBeLessThanOrEqual(1);
    for (const line of info) expect(line).toMatchObject({ msg: 'client closed the request', operationName: 'Linked' });
    expect(JSON.stringify(log.lines)).not.toMatch(/deadline|UPSTREAM_TIMEOUT/);
  });
});
