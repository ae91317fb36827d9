/**
 * A change event is resolved from reads begun after it was heard: an older read of the same
 * record still in flight (another request's) answers from before the change. Joining it made
 * the event wait for that answer and then rest on the cache's fence to ask again — a fence a
 * Redis that restarted empty no longer holds, and then the subscriber got the record as it was
 * (the feed's echo rule, which sends a record once for changes close together, relies on each
 * event showing the change or later).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sandboxAdmin, serve, subscribeSse, type Served } from './support/live.ts';
import { NO_CACHE_ENV, startStack, type Stack } from './support/stack.ts';

const ROUTE = 'GET /crm/v3/objects/:type/:id';

describe('a change event read while an older read of its record is in flight', () => {
  let stack: Stack;
  let served: Served;
  beforeAll(async () => {
    // Caches off: every read reaches HubSpot, so only the sharing of calls in flight is at stake.
    stack = await startStack({ world: { size: 40 }, env: NO_CACHE_ENV });
    served = await serve(stack.gateway);
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it('shows the subscriber the record as the change left it, not the older answer', async () => {
    const contact = stack.sandbox.world.contacts[9];
    const crm = stack.sandbox.server('crm');
    const subscription = await subscribeSse<{ contactChanged: { id: string; jobTitle: string | null } }>(
      served.url,
      'subscription($id: ID!) { contactChanged(id: $id) { id jobTitle } }',
      { id: contact.id },
    );
    try {
      // HubSpot holds its answer to a read begun before the change (the record as it was); the timeout only keeps
      // a regression from hanging: the held answer then goes out, showing the old title.
      const gate = crm.gate({ route: ROUTE, first: 1, timeoutMs: 5_000 }).id;
      const before = stack.query<{ contact: { jobTitle: string | null } }>(`{ contact(id: "${contact.id}") { jobTitle } }`);
      await vi.waitFor(() => expect(crm.requests.entries.some((e) => e.route === ROUTE)).toBe(true), { timeout: 10_000 });
      await sandboxAdmin(stack.sandbox, 'crm', 'edit', {
        objectType: 'contacts',
        id: contact.id,
        properties: { jobtitle: 'Changed mid-read' },
      });
      await stack.gateway.changes.publish({
        system: 'crm',
        entity: 'contact',
        id: contact.id,
        action: 'updated',
        eventId: `fresh-${randomUUID()}`,
        source: 'webhook',
        occurredAt: Date.now(),
      });
      const event = await subscription.nth(1, 15_000);
      expect(event.data!.contactChanged).toEqual({ id: contact.id, jobTitle: 'Changed mid-read' });
      crm.openGate(gate);
      expect((await before).data!.contact.jobTitle).not.toBe('Changed mid-read');
      // The event's read was a call of its own, and the held one was let out by the test, not by its timeout.
      const reads = crm.requests.entries.filter((e) => e.route === ROUTE);
      expect(reads).toHaveLength(2);
      expect(reads[0].heldUntil).toBe('opened');
    } finally {
      subscription.close();
    }
  });
});
