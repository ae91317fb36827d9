/**
 * The example writes GraphiQL opens (documents/) are valid against the gateway schema, so
 * a schema change that breaks one fails here rather than in front of a user.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../src/stitching.ts';

const WRITE_DOCUMENTS = ['WinDeal.graphql', 'OnboardCustomer.graphql', 'WriteSingleSystem.graphql', 'AuditLog.graphql'];

describe('example write documents', () => {
  const schema = buildGatewaySchema();
  it.each(WRITE_DOCUMENTS)('%s validates against the stitched schema', (file) => {
    expect(readdirSync(new URL('../documents/', import.meta.url))).toContain(file);
    const document = parse(readFileSync(new URL(`../documents/${file}`, import.meta.url), 'utf8'));
    expect(validate(schema, document).map((error) => error.message)).toEqual([]);
  });
});
