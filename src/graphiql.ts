/**
 * GraphiQL served by the gateway itself: `@graphql-yoga/render-graphiql` inlines every
 * asset (about 9 MB), so the page works with no internet access. The page is rendered once
 * and reused. It opens with the example operations from documents/ as titled tabs.
 * The renderer module is loaded on the first page request: holding its assets costs about
 * 70 MB of memory, which a production gateway (no GraphiQL) should not pay.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { GraphiQLOptions } from 'graphql-yoga';
import { fromRoot } from './paths.ts';

const DOCUMENTS_DIR = fromRoot('documents/');

/** W1 first: it is the flagship query and the one the quick start talks about. */
export function exampleOperations(): { name: string; query: string }[] {
  return readdirSync(DOCUMENTS_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .sort((a, b) => (a.startsWith('W1') ? -1 : b.startsWith('W1') ? 1 : a.localeCompare(b)))
    .map((file) => ({ name: file.replace(/\.graphql$/, ''), query: readFileSync(new URL(file, DOCUMENTS_DIR), 'utf8') }));
}

export function graphiqlOptions(headers: Record<string, string> = {}): GraphiQLOptions {
  return {
    title: 'Switchboard — CRM · billing · chat in one graph',
    defaultTabs: exampleOperations().map((op) => ({ query: op.query, headers: JSON.stringify(headers) })),
    headers: JSON.stringify(headers),
    shouldPersistHeaders: false,
  };
}

export function createGraphiQLRenderer(): (options?: GraphiQLOptions) => Promise<string> {
  let page: Promise<string> | undefined;
  return (options) => (page ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options)));
}
