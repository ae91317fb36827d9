/**
 * The project carries the vendor documents its contract tests check against: the sandbox
 * serves them from its package's `specs/` (sandbox/specs/ in the repository), and nothing
 * reads a folder beside the checkout, so a clone anywhere runs the same tests.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';

/** The repository this package is checked out in (the whole repository, not only the package, must not read outside). */
const REPO = new URL('../../', import.meta.url);

const fromSpecs = (name: string) =>
  JSON.parse(readFileSync(new URL(`../specs/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('the vendor documents in the repository', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ world: { size: 5 }, systems: ['billing', 'chat'] });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('are the documents the Stripe and Slack emulators serve', async () => {
    const stripe = await (await fetch(`${sandbox.urls.billing}/openapi.json`)).json();
    const slack = await (await fetch(`${sandbox.urls.chat}/openapi.json`)).json();
    expect(stripe).toEqual(fromSpecs('stripe.subset.json'));
    expect(slack).toEqual(fromSpecs('slack-web.subset.json'));
    expect(Object.keys(fromSpecs('stripe.subset.json').paths as object).length).toBeGreaterThan(5);
    expect(Object.keys(fromSpecs('slack-web.subset.json').paths as object).length).toBeGreaterThan(5);
  });

  it('say where they come from and under which licence', () => {
    const notice = readFileSync(new URL('../specs/README.md', import.meta.url), 'utf8');
    expect(notice).toContain('github.com/stripe/openapi');
    expect(notice).toContain('github.com/slackapi/slack-api-specs');
    for (const licence of ['LICENSE.stripe-openapi', 'LICENSE.slack-api-specs']) {
      expect(notice).toContain(licence);
      expect(readFileSync(new URL(`../specs/${licence}`, import.meta.url), 'utf8')).toMatch(/MIT License/);
    }
  });

  it('leave nothing in the repository reading a folder beside the checkout', () => {
    const self = 'sandbox/test/specs-contract.test.ts';
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f && f !== self && !f.startsWith('sandbox/specs/'));
    const outside = /\.\.\/shared|\/work\/shared|shared\/specs/;
    const text = (file: string) => readFileSync(new URL(file, REPO), 'utf8');
    const offenders = tracked.filter((file) => !/\.(png|ico|woff2?)$/.test(file) && outside.test(text(file)));
    expect(offenders).toEqual([]);
  });
});
