import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, as this machine runs it: without the background-networking
 * flags it keeps dialling hosts the closed network refuses. Playwright gives every launch a
 * fresh, temporary user-data dir.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
