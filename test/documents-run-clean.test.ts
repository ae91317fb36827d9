/**
 * Every example GraphiQL opens (documents/*.graphql) runs clean against the default demo
 * world with the development key: a user who presses "run" on a shipped tab sees no error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getOperationAST, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';
import { TEST_API_KEY } from './support/credentials.ts';

const DIR = new URL('../documents/', import.meta.url);
const FILES = readdirSync(DIR)
  .filter((file) => file.endsWith('.graphql'))
  .sort();

describe('shipped example documents on the default world', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The default world and demo mode, as `npm start` runs them; the dev key is what GraphiQL sends.
    stack = await startStack({ env: { SWITCHBOARD_MODE: 'demo' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('ships some', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(8);
  });

  // GraphiQL titles a tab with the name of the document's first operation; the README and the
  // file name call it by the file's name, so the two must agree (and one tab is one operation).
  it.each(FILES)('%s holds one operation, named as the file', (file) => {
    const document = parse(readFileSync(new URL(file, DIR), 'utf8'));
    const names = document.definitions.map((definition) => ('name' in definition ? definition.name?.value : undefined));
    expect(names).toEqual([file.replace(/\.graphql$/, '')]);
  });

  it.each(FILES)('%s answers without errors', async (file) => {
    const text = readFileSync(new URL(file, DIR), 'utf8');
    const operation = getOperationAST(parse(text));
    expect(operation).toBeTruthy();
    if (operation!.operation === 'subscription') {
      // A subscription answers over SSE; the first event is what a user waits for, so only its opening is checked here.
      const gone = new AbortController();
      const response = await stack.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${TEST_API_KEY}` },
        body: JSON.stringify({ query: text }),
        signal: gone.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      gone.abort();
      return;
    }
    const result = await stack.query(text, undefined, { authorization: `Bearer ${TEST_API_KEY}` });
    expect(result.errors ?? []).toEqual([]);
    expect(result.data).toBeTruthy();
  });
});
