import type { CodegenConfig } from '@graphql-codegen/cli';

// The SDK's typed documents: the gateway's example operations (documents/), typed against the
// committed public schema (schema.graphql, `npm run schema:print`), never a running gateway.
// `documentMode: 'string'` makes each document its query text (a TypedDocumentString): the
// client sends it as it is, so it needs no `graphql` runtime to print an AST. The persisted-
// documents hashes are the trusted-documents manifest's (same text, same SHA-256).
// Run from the repository root: npm run codegen:client
const config: CodegenConfig = {
  overwrite: true,
  schema: 'schema.graphql',
  documents: ['documents/*.graphql'],
  generates: {
    'client/src/generated/': {
      preset: 'client',
      presetConfig: { persistedDocuments: { hashAlgorithm: 'sha256' }, fragmentMasking: false },
      config: { documentMode: 'string', useTypeImports: true, emitLegacyCommonJSImports: false },
    },
  },
};

export default config;
