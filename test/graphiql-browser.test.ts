/**
 * A person's view: headless Chromium opens GraphiQL from the gateway, runs W1 and sees data
 * joined from the three systems — with every asset served by the gateway itself.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Served } from './support/live.ts';
import { hasService } from './support/services.ts';
import { startStack, type Stack } from './support/stack.ts';

describe.runIf(hasService('chromium'))('GraphiQL in a real browser', () => {
  let stack: Stack;
  let served: Served;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    stack = await startStack({ world: { size: 200 } });
    served = await serve(stack.gateway);
    base = served.url;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await stack?.close();
  });

  it('opens GraphiQL with the W1 tab, runs it, and shows contacts joined to billing and chat data', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1400 } });
    const outside: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
    });
    await page.goto(`${base}/graphql`, { waitUntil: 'load' });
    await page.getByText('W1ContactsWithLinks', { exact: false }).first().waitFor({ timeout: 30_000 });

    const answered = page.waitForResponse(
      (response) =>
        response.url().startsWith(`${base}/graphql`) &&
        response.request().method() === 'POST' &&
        (response.request().postData() ?? '').includes('W1ContactsWithLinks'),
      { timeout: 60_000 },
    );
    await page.locator('.graphiql-execute-button').first().click();
    const response = await answered;
    const body = (await response.json()) as {
      data: { contacts: { nodes: { owner: { chatUser: { id: string } | null }; billingCustomer: { id: string } | null }[] } };
      errors?: unknown[];
    };
    expect(body.errors).toBeUndefined();
    const nodes = body.data.contacts.nodes;
    expect(nodes).toHaveLength(50);
    expect(nodes.some((n) => n.billingCustomer !== null)).toBe(true);
    expect(nodes.some((n) => n.owner.chatUser !== null)).toBe(true);

    // The result pane shows the joined data to the person looking at it.
    await expect.poll(async () => page.locator('.graphiql-response').innerText(), { timeout: 15_000 }).toContain('"contacts"');
    await page.screenshot({ path: join(tmpdir(), 'switchboard-graphiql.png') });
    expect(outside).toEqual([]);
  }, 120_000);
});
