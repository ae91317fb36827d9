/**
 * What a client sees when something is wrong: a bad ID, a malformed query, a dead
 * upstream. Each error has a stable code at the right path, the rest of the response
 * still resolves, and nothing upstream leaks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '@switchboard/sandbox';
import { startStack, type Stack } from './support/stack.ts';

describe('errors reach clients with stable codes and nothing upstream leaks', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ world: { size: 200 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers a missing contact with null and NOT_FOUND at its path', async () => {
    const result = await stack.query('{ contact(id: "99999999") { id email } }');
    expect(result.data).toEqual({ contact: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].path).toEqual(['contact']);
    expect(result.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', service: 'crm' });
  });

  it('answers missing records in every system with NOT_FOUND and the system named', async () => {
    const result = await stack.query('{ customer(id: "cus_doesnotexist") { id } chatUser(id: "UNOSUCHUSER") { id } }');
    expect(result.data).toEqual({ customer: null, chatUser: null });
    const byPath = Object.fromEntries(result.errors!.map((e) => [e.path![0], e.extensions]));
    expect(byPath.customer).toMatchObject({ code: 'NOT_FOUND', service: 'billing' });
    expect(byPath.chatUser).toMatchObject({ code: 'NOT_FOUND', service: 'chat' });
  });

  it('rejects a malformed document with GRAPHQL_PARSE_FAILED before any upstream call', async () => {
    stack.resetCounts();
    const result = await stack.query('{ contacts(first: 5) { nodes { id }');
    expect(result.errors![0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });

  it('rejects an unknown field with GRAPHQL_VALIDATION_FAILED and no field suggestions', async () => {
    const result = await stack.query('{ contacts(first: 5) { nodes { emial } } }');
    expect(result.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('rejects first above 100 with BAD_USER_INPUT before any upstream call', async () => {
    stack.resetCounts();
    const result = await stack.query('{ contacts(first: 500) { nodes { id } } }');
    expect(result.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });

  it('nulls only the billing fields when Stripe is down, and says so with UPSTREAM_UNAVAILABLE', async () => {
    await stack.sandbox.server('billing').setKnobs({ outage: 'refuse' });
    try {
      const result = await stack.query<{
        contacts: { nodes: { id: string; company: { name: string } | null; billingCustomer: unknown }[] };
      }>('{ contacts(first: 5) { nodes { id company { name } billingCustomer { id } } } }');
      const nodes = result.data!.contacts.nodes;
      expect(nodes).toHaveLength(5);
      expect(nodes.every((n) => n.billingCustomer === null)).toBe(true);
      expect(nodes.some((n) => n.company !== null)).toBe(true);
      expect(result.errors!.length).toBeGreaterThan(0);
      for (const error of result.errors!) {
        expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'billing' });
        expect(error.path?.slice(-1)).toEqual(['billingCustomer']);
      }
    } finally {
      await stack.sandbox.server('billing').setKnobs({ outage: 'none' });
    }
  });

  it('keeps queries that touch only healthy systems unaffected by a dead one', async () => {
    await stack.sandbox.server('chat').setKnobs({ outage: 'refuse' });
    try {
      const result = await stack.query('{ contact(id: "10000002") { id email } }');
      expect(result.errors).toBeUndefined();
      expect(result.data).toMatchObject({ contact: { id: '10000002' } });
    } finally {
      await stack.sandbox.server('chat').setKnobs({ outage: 'none' });
    }
  });

  it('never shows upstream credentials or bodies in errors', async () => {
    await stack.sandbox.server('crm').setKnobs({ errorRate: 1 });
    try {
      const result = await stack.query('{ contact(id: "10000150") { id } }');
      const text = JSON.stringify(result);
      expect(result.errors![0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      for (const secret of Object.values(SANDBOX_CREDENTIALS)) expect(text).not.toContain(secret);
      expect(text).not.toContain('correlationId');
      expect(text).not.toMatch(/stack|at .*\.ts:\d+/);
    } finally {
      await stack.sandbox.server('crm').setKnobs({ errorRate: 0 });
    }
  });
});
