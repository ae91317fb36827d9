/**
 * The public schema and the trusted documents, as the checks need them: schema.graphql (the
 * committed print of the public schema) when there is one, else the schema the gateway
 * builds; the operations under documents/, which the gateway hashes into its trusted-document
 * manifest.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { fromRoot } from '../paths.ts';
import type { SourceDocument } from './impact.ts';

export async function loadPublicSchema(): Promise<GraphQLSchema> {
  const printed = fromRoot('schema.graphql');
  if (existsSync(printed)) return buildSchema(readFileSync(printed, 'utf8'));
  const { buildGatewaySchema } = await import('../stitching.ts');
  return buildGatewaySchema();
}

export function loadTrustedDocuments(dir: URL = fromRoot('documents/')): SourceDocument[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => ({ name, source: readFileSync(new URL(name, dir), 'utf8') }));
}
