/**
 * Scopes on nodes and edges: a caller sees exactly what its scopes allow, fields it may
 * not see are null with FORBIDDEN at their own path, everything else resolves, and a
 * forbidden read or write makes no request to that system.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { TEST_API_KEYS_ENV } from './support/credentials.ts';
import { startStack, type Stack } from './support/stack.ts';

const CRM_ONLY = 'sbk_scope-test-crm-only';
const BILLING_ONLY = 'sbk_scope-test-billing-only';
const CRM_READER = 'sbk_scope-test-crm-read-billing-read';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const LINKED = `{ contacts(first: 3) { nodes { id email billingCustomer { id } owner { id chatUser { id } } } } }`;

type Linked = {
  contacts: {
    nodes: { id: string; email: string; billingCustomer: { id: string } | null; owner: { id: string; chatUser: { id: string } | null } }[];
  };
};

describe('scopes on nodes and edges', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      world: { size: 50 },
      env: {
        SWITCHBOARD_API_KEYS: [
          TEST_API_KEYS_ENV,
          apiKeyConfigEntry('crm-only', CRM_ONLY, ['crm:read']),
          apiKeyConfigEntry('billing-only', BILLING_ONLY, ['billing:read']),
          apiKeyConfigEntry('crm-billing-reader', CRM_READER, ['crm:read', 'billing:read']),
        ].join(','),
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('resolves every link for a caller holding every scope', async () => {
    const result = await stack.query<Linked>(LINKED);
    expect(result.errors).toBeUndefined();
    expect(result.data!.contacts.nodes).toHaveLength(3);
  });

  it('nulls billing and chat edges of CRM contacts with FORBIDDEN at their paths, and calls neither system', async () => {
    stack.resetCounts();
    const result = await stack.query<Linked>(LINKED, undefined, bearer(CRM_ONLY));
    expect(result.status).toBe(200);
    const nodes = result.data!.contacts.nodes;
    expect(nodes.map((n) => n.id)).toEqual(['10000001', '10000002', '10000003']);
    for (const node of nodes) {
      expect(node.email).toContain('@');
      expect(node.billingCustomer).toBeNull();
      expect(node.owner.id).toBeTruthy();
      expect(node.owner.chatUser).toBeNull();
    }
    const forbidden = (result.errors ?? []).map((e) => ({ path: e.path!.join('.'), code: e.extensions?.code }));
    expect(forbidden).toEqual(
      expect.arrayContaining(
        [0, 1, 2].flatMap((i) => [
          { path: `contacts.nodes.${i}.billingCustomer`, code: 'FORBIDDEN' },
          { path: `contacts.nodes.${i}.owner.chatUser`, code: 'FORBIDDEN' },
        ]),
      ),
    );
    expect(new Set(forbidden.map((e) => e.code))).toEqual(new Set(['FORBIDDEN']));
    expect(stack.counts().billing).toBe(0);
    expect(stack.counts().chat).toBe(0);
  });

  it('forbids only the chat edge when the caller reads CRM and billing', async () => {
    const result = await stack.query<Linked>(LINKED, undefined, bearer(CRM_READER));
    expect(result.data!.contacts.nodes.some((n) => n.billingCustomer !== null)).toBe(true);
    expect(result.errors!.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path!.at(-1) === 'chatUser')).toBe(true);
    expect(result.errors!.length).toBe(3);
    expect(result.errors![0].extensions?.requiredScopes).toEqual(['chat:read']);
  });

  it('refuses a root field of another system with FORBIDDEN and no upstream request', async () => {
    stack.resetCounts();
    const result = await stack.query('{ contacts(first: 1) { nodes { id } } }', undefined, bearer(BILLING_ONLY));
    expect(result.data).toEqual({ contacts: null });
    expect(result.errors!.map((e) => [e.path, e.extensions?.code])).toEqual([[['contacts'], 'FORBIDDEN']]);
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });

  it('refuses a subscription without its scope when subscribing', async () => {
    const response = await stack.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(BILLING_ONLY) },
      body: JSON.stringify({ query: 'subscription { contactChanged { id } }' }),
    });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('FORBIDDEN') && !text.includes('"data"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toContain('FORBIDDEN');
    expect(text).toContain('crm:read');
  });

  it('refuses a mutation without its write scope and touches no upstream', async () => {
    stack.resetCounts();
    const before = stack.sandbox.world.contacts.length;
    const result = await stack.query(
      'mutation { createContact(input: { email: "scope-test@example.com", firstName: "Nope" }) { id } }',
      undefined,
      bearer(CRM_READER),
    );
    expect(result.errors!.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(result.errors![0].extensions?.requiredScopes).toEqual(['crm:write']);
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
    expect(stack.sandbox.world.contacts.length).toBe(before);
  });
});
