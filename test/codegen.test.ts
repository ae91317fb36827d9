/**
 * Generated resolver types must match the SDL they come from: regenerating in memory must
 * produce exactly the files in src/generated/ (run `npm run codegen` after an SDL change).
 */
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen.ts';

describe('generated code', () => {
  it('is current with schemas/*.graphql', async () => {
    const outputs = (await generate({ ...config, cwd: process.cwd(), silent: true }, false)) as { filename: string; content: string }[];
    expect(outputs.length).toBe(3);
    for (const output of outputs) {
      expect(readFileSync(output.filename, 'utf8'), `${output.filename} is stale: run npm run codegen`).toBe(output.content);
    }
  }, 60_000);
});
