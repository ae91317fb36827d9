import type { CodegenConfig } from '@graphql-codegen/cli';
import { SHARED_SDL } from './resolvers/sdl.ts';

// The trusted-documents manifest (TRUSTED_DOCUMENTS=1 runs only these): every operation in
// documents/, typed against the three subschemas' SDL, keyed by its SHA-256 hash.
// Run: npx graphql-codegen --config codegen.documents.ts
const config: CodegenConfig = {
  overwrite: true,
  schema: [
    SHARED_SDL,
    'schemas/crm.graphql',
    'schemas/billing.graphql',
    'schemas/chat.graphql',
    'schemas/live.graphql',
    'schemas/workflows.graphql',
  ],
  documents: ['documents/*.graphql'],
  generates: {
    'src/generated/documents/': {
      preset: 'client',
      presetConfig: { persistedDocuments: { hashAlgorithm: 'sha256' }, fragmentMasking: false },
      config: { useTypeImports: true, emitLegacyCommonJSImports: false },
    },
  },
};

export default config;
