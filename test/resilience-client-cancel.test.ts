/**
 * A client that hangs up is not an upstream failure: nothing is logged as one, the calls in
 * flight for it are aborted, and no further vendor call is started for it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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

const CUSTOMER_SEARCH = 'GET /v1/customers/search';
// Far below the test's 30 s: a regression fails on the recorded cause instead of hanging.
const GATE_TIMEOUT_MS = 8_000;

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
  afterEach(() => stack.sandbox.server('billing').clearGates());

  /** The gateway's Stripe attempts, by whether an HTTP answer came back (`error`: none did). */
  async function billingAttempts(): Promise<{ error: number; answered: number }> {
    const text = await (await stack.fetch('/metrics')).text();
    const counts = { error: 0, answered: 0 };
    for (const line of text.split('\n')) {
      const found = /^switchboard_upstream_requests_total\{(.*)\} (\d+)$/.exec(line);
      if (!found?.[1].includes('system="billing"')) continue;
      counts[found[1].includes('status="error"') ? 'error' : 'answered'] += Number(found[2]);
    }
    return counts;
  }

  it('is one info line at most, its upstream calls are aborted, and no later vendor call starts', async () => {
    // Stripe holds the customer search until the test opens the gate: the client gives up
    // while the customers are being read, for certain.
    const billing = stack.sandbox.server('billing');
    const gate = billing.gate({ route: CUSTOMER_SEARCH, timeoutMs: GATE_TIMEOUT_MS }).id;
    stack.resetCounts();
    log.clear();
    const gone = new AbortController();
    const query = 'query Linked { contacts(first: 10) { nodes { email billingCustomer { id invoices { id } } } } }';
    const answer = queryAbortable(stack, query, gone.signal);
    const held = await vi.waitFor(
      () => {
        const [first] = billing.requests.entries;
        expect(first?.route).toBe(CUSTOMER_SEARCH);
        expect(first.answeredAt).toBeUndefined();
        return first;
      },
      { timeout: 10_000 },
    );
    const routesAtAbort = billing.requests.entries.map((e) => e.route);
    gone.abort();
    await answer;
    // The operation has ended (so it can start nothing more), and every Stripe call it sent
    // ended without an answer while Stripe still held them: they were aborted, so no answer
    // can reach the gateway to start a dependent call (the invoices) from.
    await until(async () => (await metric(stack, 'switchboard_operations{state="active"}')) === 0, 'the operation to end');
    await until(async () => {
      const { error, answered } = await billingAttempts();
      return error + answered === billing.requests.total;
    }, 'the gateway to end its Stripe calls');
    expect(await billingAttempts()).toEqual({ error: billing.requests.total, answered: 0 });
    expect(held.answeredAt).toBeUndefined();
    expect(billing.openGate(gate)).toBe(true);
    await until(() => billing.requests.entries.every((e) => e.answeredAt !== undefined), 'Stripe to answer');
    expect(held.heldUntil).toBe('opened');

    // The invoices of a customer can only be asked for once its read answered: none were.
    expect(billing.requests.entries.map((e) => e.route)).toEqual(routesAtAbort);
    expect(await billingAttempts()).toEqual({ error: billing.requests.total, answered: 0 });
    expect(log.lines.filter((l) => l.level >= LEVEL.warn)).toEqual([]);
    const info = log.lines.filter((l) => l.level >= LEVEL.info);
    expect(info.length).toBeLessThanOrEqual(1);
    for (const line of info) expect(line).toMatchObject({ msg: 'client closed the request', operationName: 'Linked' });
    expect(JSON.stringify(log.lines)).not.toMatch(/deadline|UPSTREAM_TIMEOUT/);
  });
});
