/**
 * A subscription event whose record cannot be read for a moment (the vendor failing, its
 * quota spent) is resolved again shortly instead of being delivered as a null with an error:
 * the change happened, and the subscriber is owed its state. Found by the soak, where a spent
 * CRM quota turned contact changes into `contactChanged: null`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWebhooks, sandboxAdmin, serve, subscribeSse, type Served } from './support/live.ts';
import { startStack, type Stack } from './support/stack.ts';

describe('a subscription event whose record read fails for a moment', () => {
  let stack: Stack;
  let served: Served;
  beforeAll(async () => {
    // No retries inside the upstream client: the event's first read fails with the first 503.
    stack = await startStack({ world: { size: 40 }, env: { UPSTREAM_RETRIES: '0', CACHE_TTL_CONTACT: '0' } });
    served = await serve(stack.gateway);
    await registerWebhooks(stack.sandbox, served.url, {}, ['crm']);
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it('is resolved again and delivered with the record', async () => {
    const contact = stack.sandbox.world.contacts[3];
    const sub = await subscribeSse<{ contactChanged: { id: string; jobTitle: string } | null }>(
      served.url,
      `subscription { contactChanged(id: "${contact.id}") { id jobTitle } }`,
    );
    try {
      // The next CRM request — the event's read of the contact — fails; the one after succeeds.
      await sandboxAdmin(stack.sandbox, 'crm', 'script', { responses: [{ status: 503 }] });
      await sandboxAdmin(stack.sandbox, 'crm', 'edit', { objectType: 'contacts', id: contact.id, properties: { jobtitle: 'Read again' } });
      const event = await sub.nth(1, 10_000);
      expect(event.errors).toBeUndefined();
      expect(event.data!.contactChanged).toEqual({ id: contact.id, jobTitle: 'Read again' });
      const reads = stack.sandbox.server('crm').requests.entries.filter((e) => e.method !== 'PATCH');
      expect(reads.map((e) => e.status).slice(-2)).toEqual([503, 200]);
    } finally {
      sub.close();
    }
  });
});

describe('a subscription event whose vendor stays behind an open breaker', () => {
  let stack: Stack;
  let served: Served;
  // Longer than the event's old fixed schedule (about 20 s), shorter than its 30 s of trying.
  const halfOpenMs = 21_000;
  beforeAll(async () => {
    stack = await startStack({
      world: { size: 40 },
      env: { UPSTREAM_RETRIES: '0', CACHE_TTL_CONTACT: '0', UPSTREAM_BREAKER_HALF_OPEN_MS: String(halfOpenMs), WRITE_LEASE_MS: '60000' },
    });
    served = await serve(stack.gateway);
    await registerWebhooks(stack.sandbox, served.url, {}, ['crm']);
  });
  afterAll(async () => {
    await served?.close();
    await stack?.close();
  });

  it('is read again when the breaker lets its trial through, and delivered with the record', async () => {
    const contact = stack.sandbox.world.contacts[5];
    const sub = await subscribeSse<{ contactChanged: { id: string; jobTitle: string } | null }>(
      served.url,
      `subscription { contactChanged(id: "${contact.id}") { id jobTitle } }`,
    );
    try {
      await sandboxAdmin(stack.sandbox, 'crm', 'knobs', { errorRate: 1 });
      for (let i = 0; i < 5; i++) await stack.query(`{ contact(id: "${stack.sandbox.world.contacts[6].id}") { id } }`);
      const refused = await stack.query(`{ contact(id: "${contact.id}") { id } }`);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryAfter: halfOpenMs / 1000 });
      await sandboxAdmin(stack.sandbox, 'crm', 'knobs', { errorRate: 0 });
      const before = stack.sandbox.server('crm').requests.entries.length;

      await sandboxAdmin(stack.sandbox, 'crm', 'edit', {
        objectType: 'contacts',
        id: contact.id,
        properties: { jobtitle: 'After the trial' },
      });
      const event = await sub.nth(1, 40_000);

      expect(event.errors).toBeUndefined();
      expect(event.data!.contactChanged).toEqual({ id: contact.id, jobTitle: 'After the trial' });
      // While the breaker was open the event's reads never reached the vendor: its one read is the trial.
      const after = stack.sandbox
        .server('crm')
        .requests.entries.slice(before)
        .filter((e) => !e.path.includes('__sandbox'));
      expect(after.map((e) => `${e.method} ${e.status}`)).toEqual(['GET 200']);
    } finally {
      sub.close();
    }
  }, 60_000);
});
