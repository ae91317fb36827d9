import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every error code a client can see, in the error table', () => {
    const missing = Object.keys(ERROR_CODES).filter((code) => !new RegExp(`^\\|\\s*\`${code}\``, 'm').test(readme));
    expect(missing).toEqual([]);
  });

  it('gives the two commands a new user runs', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
