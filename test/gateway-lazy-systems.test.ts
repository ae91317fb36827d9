/**
 * Per-request work is created on first use: a request that reads only the CRM builds no
 * billing or chat connector or loaders, and one that crosses into billing builds billing's
 * once. Observed through the gateway's construction hook and the sandbox's request counts,
 * over the real pipeline (HTTP request into Yoga, real HTTP to the sandbox vendors).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BuildEvent } from '../src/gateway.ts';
import { startStack, type Stack } from './support/stack.ts';

describe('per-request systems are built on first use', () => {
  let stack: Stack;
  const built: BuildEvent[] = [];
  const parts = () => built.map((event) => `${event.system}:${event.part}`).sort();

  beforeAll(async () => {
    // No cache in front: every read reaches its loaders and the vendor.
    stack = await startStack({ env: { RESPONSE_CACHE: '0' }, onBuild: (event) => built.push(event) });
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(() => {
    built.length = 0;
    stack.resetCounts();
  });

  it('builds only the CRM connector and loaders for a CRM-only query', async () => {
    const result = await stack.query('{ contacts(first: 5) { nodes { id firstName email } } }');
    expect(result.errors).toBeUndefined();
    expect((result.data as { contacts: { nodes: unknown[] } }).contacts.nodes.length).toBeGreaterThan(0);
    expect(parts()).toEqual(['crm:connector', 'crm:loaders']);
    const counts = stack.counts();
    expect(counts.crm).toBeGreaterThan(0);
    expect(counts.billing).toBe(0);
    expect(counts.chat).toBe(0);
  });

  it('builds each system a query crosses into once, sharing its connector with the loaders', async () => {
    const result = await stack.query('{ contacts(first: 3) { nodes { id billingCustomer { id } } } }');
    expect(result.errors).toBeUndefined();
    expect(parts()).toEqual(['billing:connector', 'billing:loaders', 'crm:connector', 'crm:loaders']);
    expect(stack.counts().chat).toBe(0);
  });

  it('builds nothing per system for a request that reads no system', async () => {
    const result = await stack.query('{ __typename }');
    expect(result.errors).toBeUndefined();
    expect(built).toEqual([]);
    expect(stack.counts()).toEqual({ crm: 0, billing: 0, chat: 0 });
  });
});
