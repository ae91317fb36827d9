/**
 * A person's view of GET /status: headless Chromium (Debian's, as test/graphiql-browser.test.ts
 * launches it) opens the page, enters the test key, and watches billing go DOWN while it
 * refuses connections (the sandbox's chaos knob) and come back when the knob is lifted — CRM
 * and chat HEALTHY throughout. Every wait is on what the page shows, never on a clock.
 *
 * Screenshots of both states go to docs/status-healthy.png and docs/status-billing-down.png
 * with UPDATE_SCREENSHOTS=1 (to refresh the committed ones); otherwise to the temp directory,
 * so a CI run never dirties the tree.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyConfigEntry } from '../src/auth/api-keys.ts';
import { TEST_API_KEY, TEST_API_KEYS_ENV } from './support/credentials.ts';
import { sandboxAdmin, serve, type Served } from './support/live.ts';
import { hasService } from './support/services.ts';
import { NO_CACHE_ENV, startStack, type Stack } from './support/stack.ts';

const CRM_READER = 'sbk_status-page-crm-reader-not-a-secret';
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(import.meta.dirname, '..', 'docs') : tmpdir();
const ALL_THREE = '{ contacts(first: 5) { nodes { id billingCustomer { id } owner { chatUser { id } } } } }';
const BILLING_READ = '{ customers(first: 1) { nodes { id } } }';

describe.runIf(hasService('chromium'))('the status page in a real browser', () => {
  let stack: Stack;
  let served: Served;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    stack = await startStack({
      world: { size: 50 },
      env: {
        ...NO_CACHE_ENV,
        SWITCHBOARD_API_KEYS: [TEST_API_KEYS_ENV, apiKeyConfigEntry('crm-reader', CRM_READER, ['crm:read'])].join(','),
      },
    });
    served = await serve(stack.gateway);
    base = served.url;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await stack?.close();
  });

  const card = (page: Page, system: string) => page.locator(`section[data-system="${system}"]`);

  async function openWithKey(key: string): Promise<{ page: Page; outside: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const outside: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(base) && !url.startsWith('data:')) outside.push(url);
    });
    await page.goto(`${base}/status`, { waitUntil: 'load' });
    await page.locator('#key').fill(key);
    await page.getByRole('button', { name: 'Show status' }).click();
    return { page, outside };
  }

  it('shows all three systems healthy, billing DOWN with its error while it refuses connections, and its recovery', async () => {
    expect((await stack.query(ALL_THREE)).errors).toBeUndefined();
    const { page, outside } = await openWithKey(TEST_API_KEY);
    for (const system of ['crm', 'billing', 'chat'])
      await expect.poll(() => card(page, system).getAttribute('data-state'), { timeout: 15_000 }).toBe('HEALTHY');
    // The key is in the tab's sessionStorage, never in the URL.
    expect(page.url()).toBe(`${base}/status`);
    expect(await page.evaluate(() => Object.values(sessionStorage))).toContain(TEST_API_KEY);
    await page.screenshot({ path: join(SCREENSHOTS, 'status-healthy.png'), fullPage: true });

    await sandboxAdmin(stack.sandbox, 'billing', 'knobs', { outage: 'refuse' });
    try {
      // Billing reads until the gateway itself reports billing DOWN (its breaker opened)…
      await expect
        .poll(
          async () => {
            await stack.query(BILLING_READ);
            await stack.query(ALL_THREE);
            return (
              await stack.query<{ integrationHealth: { systems: { system: string; state: string }[] } }>(
                '{ integrationHealth { systems { system state } } }',
              )
            ).data?.integrationHealth.systems.find((row) => row.system === 'billing')?.state;
          },
          { timeout: 60_000, interval: 100 },
        )
        .toBe('DOWN');
      // …and the page, refreshing itself, shows it within 10 s, with the error, the others healthy.
      await expect.poll(() => card(page, 'billing').getAttribute('data-state'), { timeout: 10_000 }).toBe('DOWN');
      expect(await card(page, 'billing').innerText()).toMatch(/UPSTREAM_UNAVAILABLE/);
      expect(await card(page, 'crm').getAttribute('data-state')).toBe('HEALTHY');
      expect(await card(page, 'chat').getAttribute('data-state')).toBe('HEALTHY');
      await page.screenshot({ path: join(SCREENSHOTS, 'status-billing-down.png'), fullPage: true });
    } finally {
      // Through another server's admin API: billing's own port is closed.
      await sandboxAdmin(stack.sandbox, 'crm', 'systems/billing/knobs', { outage: 'none' });
    }
    await expect
      .poll(
        async () => {
          await stack.query(BILLING_READ);
          return card(page, 'billing').getAttribute('data-state');
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBe('HEALTHY');
    expect(await card(page, 'crm').getAttribute('data-state')).toBe('HEALTHY');
    expect(outside).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows nothing of the data to a key without ops:read, and forgets that key', async () => {
    const { page } = await openWithKey(CRM_READER);
    await expect.poll(() => page.locator('#message').innerText(), { timeout: 15_000 }).toMatch(/ops:read/);
    expect(await page.locator('section[data-system]').count()).toBe(0);
    expect(await page.locator('#data').isVisible()).toBe(false);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.close();
  }, 60_000);

  // Last: it stops the server the page reads from.
  it('marks its data stale when the gateway stops answering', async () => {
    const { page } = await openWithKey(TEST_API_KEY);
    await expect.poll(() => card(page, 'crm').getAttribute('data-state'), { timeout: 15_000 }).toBe('HEALTHY');
    expect(await page.locator('#stale').innerText()).toBe('');
    await served.close();
    await expect.poll(() => page.locator('#stale').innerText(), { timeout: 15_000 }).toMatch(/^Stale: .+ data from /);
    expect(await page.evaluate(() => document.body.classList.contains('stale'))).toBe(true);
    await page.close();
  }, 60_000);
});

describe.runIf(hasService('chromium'))('the status page with trusted documents only (TRUSTED_DOCUMENTS=1)', () => {
  let stack: Stack;
  let served: Served;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack({ world: { size: 20 }, env: { TRUSTED_DOCUMENTS: '1' } });
    served = await serve(stack.gateway);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await stack?.close();
  });

  it('shows the three systems: the page sends its query by id, the one form this gateway runs', async () => {
    const page = await browser.newPage();
    const bodies: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql')) bodies.push(request.postData() ?? '');
    });
    await page.goto(`${served.url}/status`, { waitUntil: 'load' });
    await page.locator('#key').fill(TEST_API_KEY);
    await page.getByRole('button', { name: 'Show status' }).click();
    for (const system of ['crm', 'billing', 'chat'])
      await expect.poll(() => page.locator(`section[data-system="${system}"]`).count(), { timeout: 15_000 }).toBe(1);
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect(JSON.parse(body)).not.toHaveProperty('query');
    await page.close();
  });
});
