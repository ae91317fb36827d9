/**
 * Each subscription event is resolved in a fresh context (new loaders, a deadline of its own),
 * but for the same client: it carries the subscription's request ID, stops when the client is
 * gone, and its deadline is released when the event is resolved.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countFeedListeners, serve, subscribeSse, sleep, type Served } from './support/live.ts';
import { startStack, type Stack } from './support/stack.ts';
import { captureLog, type CapturedLog } from './support/log-capture.ts';
import { TEST_AUTH_HEADERS } from './support/credentials.ts';

// Counts the request deadlines made and released, to see that none is left ticking.
const deadlines = vi.hoisted(() => ({ created: 0, disposed: 0 }));
vi.mock('../src/upstream/deadline.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/upstream/deadline.ts')>();
  return {
    ...real,
    createRequestDeadline: (ms: number, parent?: AbortSignal) => {
      const deadline = real.createRequestDeadline(ms, parent);
      deadlines.created++;
      let disposed = false;
      return {
        ...deadline,
        dispose() {
          if (!disposed) deadlines.disposed++;
          disposed = true;
          deadline.dispose();
        },
      };
    },
  };
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (condition()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const CONTACT_READ = 'GET /crm/v3/objects/contacts/{id}';

describe('subscription events', () => {
  let stack: Stack;
  let served: Served;
  let log: CapturedLog;
  let listeners: ReturnType<typeof countFeedListeners>;
  beforeAll(async () => {
    log = captureLog('debug');
    stack = await startStack({
      world: { size: 30 },
      logger: log.logger,
      env: { CACHE_TTL_DEFAULT: '0', CACHE_TTL_CONTACT: '0', RESPONSE_CACHE: '0' },
    });
    served = await serve(stack.gateway);
    // Counts the subscriptions listening to the change feed, to know when one has ended.
    listeners = countFeedListeners(stack.gateway.changes);
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  async function rename(id: string, firstName: string, requestId: string): Promise<void> {
    const result = await stack.query(
      'mutation ($id: ID!, $n: String!) { updateContact(id: $id, input: { firstName: $n }) { id } }',
      { id, n: firstName },
      {
        'x-request-id': requestId,
      },
    );
    expect(result.errors).toBeUndefined();
  }

  /** Upstream attempts logged for reads of one contact, by request ID. */
  function contactReads(): { requestId?: string; route?: string }[] {
    return log.lines.filter((line) => line.msg === 'upstream attempt' && line.route === CONTACT_READ) as { requestId?: string }[];
  }

  it("share the subscription's request ID, release their deadlines, and cost nothing once its client is gone", async () => {
    const id = stack.sandbox.world.contacts[3].id;
    const subscription = await subscribeSse<{ contactChanged: { id: string; firstName: string } }>(
      served.url,
      'subscription ($id: ID) { contactChanged(id: $id) { id firstName } }',
      { id },
    );
    for (const [n, name] of ['Una', 'Duo', 'Tria'].entries()) {
      await rename(id, name, `rename-${n}`);
      expect((await subscription.nth(n + 1)).data!.contactChanged.firstName).toBe(name);
    }
    const eventReads = contactReads().filter((line) => !line.requestId?.startsWith('rename-'));
    expect(eventReads.length).toBeGreaterThanOrEqual(3);
    // One subscription, one request ID (the client sent none: the gateway minted one, once).
    expect(new Set(eventReads.map((line) => line.requestId)).size).toBe(1);
    expect(eventReads[0].requestId).toMatch(/^[0-9a-f-]{36}$/);

    // Every deadline made so far belonged to a request or an event that has ended.
    expect(deadlines.disposed).toBe(deadlines.created);

    // The client goes away. A witness subscription on the same contact shows when the next
    // change has been delivered (and resolved) for every live subscriber.
    subscription.close();
    await until(() => listeners.count() === 0, 'the gateway to see the client leave');
    const witness = await subscribeSse<{ contactChanged: { firstName: string } }>(
      served.url,
      'subscription ($id: ID) { contactChanged(id: $id) { firstName } }',
      {
        id,
      },
    );
    const before = new Set(contactReads().map((line) => line.requestId));
    await rename(id, 'Quattuor', 'rename-after');
    expect((await witness.nth(1)).data!.contactChanged.firstName).toBe('Quattuor');
    witness.close();
    await until(() => listeners.count() === 0, 'the witness to end');
    const after = contactReads().filter((line) => !line.requestId?.startsWith('rename-'));
    // Only the witness read the contact: nothing ran for the gone subscriber.
    expect(after.filter((line) => line.requestId === eventReads[0].requestId)).toHaveLength(eventReads.length);
    expect([...new Set(after.map((line) => line.requestId))].filter((rid) => !before.has(rid))).toHaveLength(1);
  });

  it('stop resolving an event whose client leaves mid-way: its vendor calls are aborted', async () => {
    const id = stack.sandbox.world.contacts[4].id;
    const gone = new AbortController();
    const response = await fetch(`${served.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-request-id': 'slow-subscriber', ...TEST_AUTH_HEADERS },
      body: JSON.stringify({ query: 'subscription ($id: ID) { contactChanged(id: $id) { id firstName } }', variables: { id } }),
      signal: gone.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('slow-subscriber');
    const crm = stack.sandbox.server('crm');
    const eventReadsArrived = () => crm.requests.entries.filter((e) => e.method === 'GET' && e.path.endsWith(`/contacts/${id}`)).length;
    const arrivedBefore = eventReadsArrived();
    // HubSpot is slow: the event's read of the contact is in flight when the client leaves.
    await crm.setKnobs({ latencyMs: 5_000 });
    const renamed = rename(id, 'Lenta', 'rename-slow').catch(() => undefined);
    try {
      await until(() => eventReadsArrived() > arrivedBefore, "the event's read to reach HubSpot");
    } finally {
      gone.abort();
    }
    // An attempt is logged when it ends: aborted at once, or answered after the latency.
    await until(() => contactReads().some((l) => l.requestId === 'slow-subscriber'), 'the read to end');
    await crm.setKnobs({ latencyMs: 0 });
    await renamed;
    const slow = contactReads().filter((line) => line.requestId === 'slow-subscriber');
    expect(slow).toHaveLength(1);
    expect(slow[0]).toMatchObject({ status: 'error', errorCode: 'CLIENT_CLOSED_REQUEST' });
  });
});
