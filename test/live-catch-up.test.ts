/**
 * Catch-up after downtime: changes made while no gateway was listening (their webhooks
 * failed and were not retried) are read from Stripe's events and HubSpot's search on the
 * last-modified date, from the cursor the previous gateway persisted under the data dir.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../src/changes/types.ts';
import type { Config } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/observability/logger.ts';
import { type Sandbox, startSandbox } from '@switchboard/sandbox';
import { resolveUpstreams } from '../src/upstreams.ts';
import { TEST_API_KEY, TEST_API_KEYS_ENV } from './support/credentials.ts';
import { recordFeed, registerWebhooks, sandboxAdmin, serve, sleep, subscribeSse } from './support/live.ts';
import { loadDemoConfig } from './support/demo-config.ts';

/** The vendor event ids a sandbox edit reports (HubSpot `eventId`, Stripe `id`). */
function eventIds(edit: Record<string, unknown>): string[] {
  return (edit.events as { eventId?: number; id?: string }[]).map((e) => String(e.eventId ?? e.id));
}

/** Waits until the sandbox's log has an attempt (any outcome) to deliver each of `ids`. */
async function attempted(sandbox: Sandbox, system: 'crm' | 'billing', ids: string[]): Promise<void> {
  for (let i = 0; i < 250; i++) {
    const log = (await sandboxAdmin(sandbox, system, 'webhooks', undefined, 'GET')).deliveries as { ids: string[] }[];
    const tried = new Set(log.flatMap((d) => d.ids));
    if (ids.every((id) => tried.has(id))) return;
    await sleep(20);
  }
  throw new Error(`the sandbox did not try to deliver ${system} events ${ids.join(', ')}`);
}

describe('catch-up after the gateway was down', () => {
  let sandbox: Sandbox;
  let config: Config;
  let dataDir: string;
  const namespace = 'catch-up-test';
  const start = () =>
    createGateway({
      config,
      upstreams: resolveUpstreams(config, sandbox),
      logger: createLogger('silent'),
      cacheNamespace: namespace,
      devApiKey: TEST_API_KEY,
    });

  beforeAll(async () => {
    sandbox = await startSandbox({ world: { size: 200 } });
    dataDir = mkdtempSync(join(tmpdir(), 'live-catch-up-'));
    config = loadDemoConfig({
      LOG_LEVEL: 'silent',
      SWITCHBOARD_API_KEYS: TEST_API_KEYS_ENV,
      RATE_LIMIT_PER_MINUTE: '0',
      SWITCHBOARD_DATA_DIR: dataDir,
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('publishes a CRM and a Stripe change missed while stopped once the gateway restarts, and resumes from the persisted cursor', async () => {
    const contactId = sandbox.world.contacts[11].id;
    const customerId = sandbox.world.customers[3].id;
    const archivedDealId = sandbox.world.deals[4].id;

    // First run: live webhooks, no retries (so a delivery to a stopped gateway is lost).
    const first: Gateway = start();
    const servedFirst = await serve(first);
    expect(await first.catchUp()).toEqual({ crm: 0, billing: 0 });
    await registerWebhooks(sandbox, servedFirst.url, { retryDelaysMs: [] }, ['crm', 'billing']);
    const seen: ChangeEvent[] = [];
    const listening = new AbortController();
    void (async () => {
      for await (const e of first.changes.subscribe(listening.signal)) seen.push(e);
    })().catch(() => undefined);
    await sandboxAdmin(sandbox, 'crm', 'edit', { objectType: 'contacts', id: contactId, properties: { jobtitle: 'Seen live' } });
    for (let i = 0; i < 50 && seen.length === 0; i++) await sleep(20);
    expect(seen.map((e) => e.id)).toContain(contactId);
    listening.abort();
    await servedFirst.close();
    await first.close();
    const cursorFile = join(dataDir, `${namespace}-webhook-cursor.json`);
    expect(existsSync(cursorFile)).toBe(true);
    const cursorBefore = JSON.parse(readFileSync(cursorFile, 'utf8')) as Record<string, number>;

    // Down: these webhooks fail and are never retried.
    await sleep(5);
    const crmIds = eventIds(
      await sandboxAdmin(sandbox, 'crm', 'edit', { objectType: 'contacts', id: contactId, properties: { firstname: 'WhileDown' } }),
    );
    const billingIds = eventIds(
      await sandboxAdmin(sandbox, 'billing', 'edit', { object: 'customer', id: customerId, set: { name: 'Renamed While Down' } }),
    );
    crmIds.push(...eventIds(await sandboxAdmin(sandbox, 'crm', 'edit', { action: 'archive', objectType: 'deals', id: archivedDealId })));
    // Every one of them must have failed before a gateway listens again (the next one may even
    // get the same port): wait for the attempts in the sandbox's logs.
    expect(crmIds.length).toBeGreaterThan(0);
    expect(billingIds.length).toBeGreaterThan(0);
    await attempted(sandbox, 'crm', crmIds);
    await attempted(sandbox, 'billing', billingIds);
    const failed = ((await sandboxAdmin(sandbox, 'crm', 'webhooks', undefined, 'GET')).deliveries as { status: number }[]).filter(
      (d) => d.status === 0,
    );
    expect(failed.length).toBeGreaterThan(0);

    // Restart: a subscriber connected before the catch-up hears the missed changes.
    const second = start();
    const servedSecond = await serve(second);
    const subscription = await subscribeSse<{ contactChanged: { id: string; firstName: string } }>(
      servedSecond.url,
      'subscription ($id: ID) { contactChanged(id: $id) { id firstName } }',
      { id: contactId },
    );
    const feed = recordFeed(second.changes);
    const published = feed.events;
    try {
      const report = await second.catchUp();
      expect(report.crm).toBeGreaterThanOrEqual(1);
      expect(report.billing).toBeGreaterThanOrEqual(1);
      expect((await subscription.nth(1, 2000)).data!.contactChanged).toEqual({ id: contactId, firstName: 'WhileDown' });
      expect(published.filter((e) => e.source === 'catch-up' && e.system === 'billing').map((e) => e.id)).toContain(customerId);
      // An archive is invisible to search; the archived list catches it.
      expect(published.filter((e) => e.source === 'catch-up' && e.action === 'deleted').map((e) => e.id)).toContain(archivedDealId);
      const cursorAfter = JSON.parse(readFileSync(cursorFile, 'utf8')) as Record<string, number>;
      expect(cursorAfter.crm).toBeGreaterThan(cursorBefore.crm);
      // Stripe times events in whole seconds, so its cursor may stay within the second it started in.
      expect(cursorAfter.billing).toBeGreaterThanOrEqual(cursorBefore.billing);
      // Nothing new since: a second catch-up finds only the boundary second again, which dedupe drops.
      published.length = 0;
      await second.catchUp();
      // A sentinel published after it through the same feed, which delivers in publish order:
      // anything the catch-up published is ahead of it.
      const sentinel: ChangeEvent = {
        eventId: 'sentinel-after-catch-up',
        system: 'crm',
        entity: 'contact',
        id: sandbox.world.contacts[12].id,
        action: 'updated',
        occurredAt: Date.now(),
        source: 'gateway',
      };
      await second.changes.publish(sentinel);
      await feed.until((events) => events.some((e) => e.eventId === sentinel.eventId), 'the sentinel');
      expect(published).toEqual([sentinel]);
    } finally {
      feed.stop();
      subscription.close();
      await servedSecond.close();
      await second.close();
    }
  });
});
