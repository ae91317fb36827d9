import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      // graphql ships CJS (main) and ESM (module) builds. Node — and every @graphql-tools
      // package — loads the CJS one; vite would pick the ESM one for our sources, and two
      // copies of graphql in one process break its instanceof checks ("another realm").
      { find: /^graphql$/, replacement: 'graphql/index.js' },
      // The sandbox package's sources, as its `source` export condition names them: tests need no build first.
      { find: /^@switchboard\/sandbox$/, replacement: fileURLToPath(new URL('./sandbox/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    // The gateway's tests and the sandbox package's, in one run.
    include: ['test/**/*.test.ts', 'sandbox/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites start real HTTP servers on ephemeral ports; files run in parallel forks.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
