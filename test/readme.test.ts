import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { ERROR_CODES, HTTP_STATUS } from '../src/errors.ts';
import { startStack, type Stack } from './support/stack.ts';
import { TEST_AUTH_HEADERS } from './support/credentials.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every error code a client can see, in the error table', () => {
    const missing = Object.keys(ERROR_CODES).filter((code) => !new RegExp(`^\\|\\s*\`${code}\``, 'm').test(readme));
    expect(missing).toEqual([]);
  });

  it("states each error code's HTTP status as src/errors.ts answers it", () => {
    const stated = Object.fromEntries(
      Object.keys(HTTP_STATUS).map((code) => [code, new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*(\\d+)\\D`, 'm').exec(readme)?.[1]]),
    );
    const expected = Object.fromEntries(Object.entries(HTTP_STATUS).map(([code, status]) => [code, String(status)]));
    expect(stated).toEqual(expected);
  });

  it('gives the two commands a new user runs', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it('does not promise a build of "a few seconds" (it takes 18–40 s on two cores)', () => {
    const sentence = /`npm run build`[^)]*\)/.exec(readme)?.[0];
    expect(sentence).toBeDefined();
    expect(sentence).not.toMatch(/few seconds/);
    expect(sentence).toMatch(/\d+–\d+ s/);
  });
});

describe('README against the running gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The world `npm start` seeds (demo mode's defaults).
    const demo = loadConfig({ SWITCHBOARD_MODE: 'demo' });
    stack = await startStack({ world: { seed: demo.sandbox.seed, size: demo.sandbox.contacts } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('shows a real W1 answer: the sample contact is exactly what W1 returns for it on the default world', async () => {
    const sample = /it answers \(one of[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(sample).toBeDefined();
    type Page = { contacts: { totalCount: unknown; pageInfo: unknown; nodes: { id: string }[] } };
    const shown = (JSON.parse(sample!) as { data: Page }).data.contacts;
    expect(shown.nodes).toHaveLength(1);
    const w1 = readFileSync(new URL('../documents/W1ContactsWithLinks.graphql', import.meta.url), 'utf8');
    const real = await stack.query<Page>(w1);
    expect(real.errors).toBeUndefined();
    expect(real.data!.contacts.totalCount).toEqual(shown.totalCount);
    expect(real.data!.contacts.pageInfo).toEqual(shown.pageInfo);
    expect(real.data!.contacts.nodes.find((node) => node.id === shown.nodes[0].id)).toEqual(shown.nodes[0]);
  });

  it('states the HTTP status a validation limit answers with, for both kinds of client', async () => {
    const deep = `{ ${'contacts(first: 1) { nodes { company { '.repeat(4)}id${' } } }'.repeat(4)} }`;
    const status = async (accept: string) => {
      const response = await stack.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, ...TEST_AUTH_HEADERS },
        body: JSON.stringify({ query: deep }),
      });
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      return response.status;
    };
    const spec = await status('application/graphql-response+json');
    const legacy = await status('application/json');
    const row = readme.split('\n').find((line) => line.startsWith('| selection depth |'));
    expect(row).toContain(`\`GRAPHQL_VALIDATION_FAILED\`: ${spec}, or ${legacy} for an \`application/json\` client`);
    const rows = readme
      .split('\n')
      .filter((line) => line.startsWith('|') && line.includes('GRAPHQL_VALIDATION_FAILED') && line.includes('LIMIT_'));
    expect(rows).toHaveLength(5);
    for (const line of rows) expect(line).not.toMatch(/\| 400 `GRAPHQL_VALIDATION_FAILED` \|/);
  });
});
