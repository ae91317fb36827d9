import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CJS (main) and ESM (module) builds. Node — and every @graphql-tools
    // package — loads the CJS one; vite would pick the ESM one for our sources, and two
    // copies of graphql in one process break its instanceof checks ("another realm").
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites start real HTTP servers on ephemeral ports; files run in parallel forks.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
