/**
 * Two gateway replicas sharing the real Redis (127.0.0.1:6379) — one in this process, one
 * in a child OS process: the sandbox delivers each webhook to both (as a load balancer in
 * front of replicas might, on a retry), and each subscriber — one per replica — must see
 * the change exactly once, and both replicas must serve the new value right after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Sandbox, SANDBOX_CREDENTIALS, startSandbox } from '@switchboard/sandbox';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/observability/logger.ts';
import { resolveUpstreams } from '../src/upstreams.ts';
import { TEST_API_KEY, TEST_API_KEYS_ENV, TEST_AUTH_HEADERS } from './support/credentials.ts';
import { registerWebhooks, sandboxAdmin, serve, sleep, subscribeSse, type Served } from './support/live.ts';
import { hasService } from './support/services.ts';
import { loadDemoConfig } from './support/demo-config.ts';

async function gql<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: unknown[] }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...TEST_AUTH_HEADERS },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: unknown[] };
}

describe.runIf(hasService('redis'))('two replicas sharing Redis', () => {
  let sandbox: Sandbox;
  let local: { gateway: Gateway; served: Served };
  let child: ChildProcess;
  let childUrl: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ world: { size: 200 } });
    const env = {
      LOG_LEVEL: 'silent',
      SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
      RATE_LIMIT_PER_MINUTE: '0',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'live-replicas-')),
      HUBSPOT_BASE_URL: sandbox.urls.crm!,
      HUBSPOT_TOKEN: SANDBOX_CREDENTIALS.crm,
      STRIPE_BASE_URL: sandbox.urls.billing!,
      STRIPE_API_KEY: SANDBOX_CREDENTIALS.billing,
      SLACK_BASE_URL: sandbox.urls.chat!,
      SLACK_BOT_TOKEN: SANDBOX_CREDENTIALS.chat,
      LIVE_NAMESPACE: `test-live-${randomUUID()}`,
    };
    const config = loadDemoConfig(env);
    const gateway = createGateway({
      config,
      upstreams: resolveUpstreams(config),
      logger: createLogger('silent'),
      cacheNamespace: env.LIVE_NAMESPACE,
      devApiKey: TEST_API_KEY,
    });
    await gateway.changes.ready?.();
    local = { gateway, served: await serve(gateway) };
    child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', fileURLToPath(new URL('./support/replica-process.ts', import.meta.url))],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`replica process exited with ${code}`)));
    });
    childUrl = (JSON.parse(firstLine) as { url: string }).url;
    for (const url of [local.served.url, childUrl]) await registerWebhooks(sandbox, url, {}, ['crm']);
  }, 60_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await local?.served.close();
    await local?.gateway.close();
    await sandbox?.close();
  });

  it('delivers a webhook received by both replicas (two OS processes) exactly once to a subscriber on each, and neither serves the old value after', async () => {
    const a = local.served.url;
    const b = childUrl;
    const id = sandbox.world.contacts[7].id;
    const read = (url: string) =>
      gql<{ contact: { firstName: string } }>(url, 'query ($id: ID!) { contact(id: $id) { firstName } }', { id });
    const old = (await read(b)).data!.contact.firstName;
    sandbox.server('crm').requests.reset();
    // The cache is shared: A reads B's entry without calling HubSpot.
    expect((await read(a)).data!.contact.firstName).toBe(old);
    expect(sandbox.server('crm').requests.total).toBe(0);

    const query = 'subscription ($id: ID) { contactChanged(id: $id) { id firstName } }';
    const onA = await subscribeSse<{ contactChanged: { id: string; firstName: string } }>(a, query, { id });
    const onB = await subscribeSse<{ contactChanged: { id: string; firstName: string } }>(b, query, { id });
    try {
      const edit = await sandboxAdmin(sandbox, 'crm', 'edit', { objectType: 'contacts', id, properties: { firstname: 'Replicated' } });
      const eventIds = (edit.events as { eventId: number }[]).map((e) => String(e.eventId));
      expect((await onA.nth(1, 2000)).data!.contactChanged).toEqual({ id, firstName: 'Replicated' });
      expect((await onB.nth(1, 2000)).data!.contactChanged).toEqual({ id, firstName: 'Replicated' });
      await sleep(500);
      const deliveries = (await sandboxAdmin(sandbox, 'crm', 'webhooks', undefined, 'GET')).deliveries as {
        url: string;
        ids: string[];
        status: number;
      }[];
      const ok = deliveries.filter((d) => d.status === 200 && d.ids.some((x) => eventIds.includes(x)));
      expect(new Set(ok.map((d) => d.url)).size).toBe(2);
      expect(onA.received).toHaveLength(1);
      expect(onB.received).toHaveLength(1);
      expect((await read(a)).data!.contact.firstName).toBe('Replicated');
      expect((await read(b)).data!.contact.firstName).toBe('Replicated');
    } finally {
      onA.close();
      onB.close();
    }
  });
});
