/**
 * The trusted-documents manifest must match documents/: regenerating it in memory must give
 * exactly the committed file (run `npx graphql-codegen --config codegen.documents.ts`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen.documents.ts';

describe('the trusted-documents manifest', () => {
  it('is current with documents/', async () => {
    const outputs = (await generate({ ...config, cwd: process.cwd(), silent: true }, false)) as { filename: string; content: string }[];
    const manifest = outputs.find((o) => o.filename.endsWith('persisted-documents.json'));
    expect(manifest, 'codegen produced no manifest').toBeDefined();
    const committed = readFileSync(join(process.cwd(), 'src/generated/documents/persisted-documents.json'), 'utf8');
    expect(JSON.parse(committed), 'stale: run npx graphql-codegen --config codegen.documents.ts').toEqual(JSON.parse(manifest!.content));
  }, 60_000);
});
