/**
 * The deliverer's count of deliveries not yet settled, which `GET /__sandbox/webhooks` shows
 * as `pending`: a harness waits for it to reach 0 before it reads the systems of record, so
 * it must cover every stage a delivery passes through (held to be reordered, being sent,
 * waiting for a retry, a duplicate on its way).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { DEFAULT_WEBHOOK_SETTINGS, WebhookDeliverer, type OutgoingDelivery } from '../src/webhooks/deliverer.ts';

/** A webhook receiver whose answers the test gives, one arrival at a time. */
class HeldReceiver {
  readonly waiting: ServerResponse[] = [];
  private readonly server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => this.waiting.push(res));
  });
  url = '';

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Waits for the next arrival and answers it. */
  async answer(status: number): Promise<void> {
    await vi.waitFor(() => expect(this.waiting.length).toBeGreaterThan(0));
    this.waiting.shift()!.writeHead(status).end();
  }

  async close(): Promise<void> {
    for (const res of this.waiting.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const delivery = (id: string): OutgoingDelivery => ({
  ids: [id],
  build: () => ({ body: JSON.stringify({ id }), headers: { 'content-type': 'application/json' } }),
});

let receiver: HeldReceiver;

beforeAll(async () => {
  receiver = new HeldReceiver();
  await receiver.listen();
});
afterAll(async () => {
  await receiver.close();
});

describe('pending deliveries', () => {
  it('counts a delivery from its send through its retries until it is acknowledged', async () => {
    const deliverer = new WebhookDeliverer({ ...DEFAULT_WEBHOOK_SETTINGS, retryDelaysMs: [1] });
    deliverer.targets.set(receiver.url, { url: receiver.url, secret: 's' });
    expect(deliverer.pending).toBe(0);
    deliverer.send(delivery('e1'));
    expect(deliverer.pending).toBe(1);
    await receiver.answer(500);
    expect(deliverer.pending).toBe(1);
    await receiver.answer(200);
    await vi.waitFor(() => expect(deliverer.log.map((entry) => entry.status)).toEqual([500, 200]));
    await vi.waitFor(() => expect(deliverer.pending).toBe(0));
    deliverer.close();
  });

  it('counts deliveries held for reordering, per target, and a duplicate until it is acknowledged too', async () => {
    const deliverer = new WebhookDeliverer({ ...DEFAULT_WEBHOOK_SETTINGS, reorderWindowMs: 1, duplicateRate: 1 });
    deliverer.targets.set(receiver.url, { url: receiver.url, secret: 's' });
    deliverer.targets.set(`${receiver.url}?second`, { url: `${receiver.url}?second`, secret: 's' });
    deliverer.send(delivery('e1'));
    deliverer.send(delivery('e2'));
    expect(deliverer.pending).toBe(4);
    for (let i = 0; i < 4; i++) await receiver.answer(200);
    // Each acknowledged first delivery sends its duplicate; those are still pending.
    await vi.waitFor(() => expect(receiver.waiting.length).toBe(4));
    expect(deliverer.pending).toBe(4);
    for (let i = 0; i < 4; i++) await receiver.answer(200);
    await vi.waitFor(() => expect(deliverer.pending).toBe(0));
    expect(deliverer.log).toHaveLength(8);
    deliverer.close();
  });
});

describe('GET /__sandbox/webhooks', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ systems: ['billing'], world: { seed: 7, size: 20 } });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const pending = async () => ((await (await fetch(`${sandbox.urls.billing}/__sandbox/webhooks`)).json()) as { pending: number }).pending;

  it('shows the deliveries not yet acknowledged', async () => {
    const register = await fetch(`${sandbox.urls.billing}/__sandbox/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, secret: 'whsec_test' }),
    });
    expect(register.status).toBe(200);
    expect(await pending()).toBe(0);
    const customer = sandbox.world.customers[0];
    const edit = await fetch(`${sandbox.urls.billing}/__sandbox/edit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ object: 'customer', id: customer.id, set: { name: 'Pending Test' } }),
    });
    expect(edit.status).toBe(200);
    expect(await pending()).toBe(1);
    await receiver.answer(200);
    await vi.waitFor(async () => expect(await pending()).toBe(0));
  });
});
