// Lint: typescript-eslint's recommended rules over the sources, resolvers, tests, scripts and bench, plus the rules
// that hold the layout (issue 15): no import cycles, not even type-only ones; a system is entered only through its
// index.ts; layers import one way; nothing in the product imports the vendor emulator; files and functions stay small.
// Generated code is codegen's, not ours, and stays out.
import fs from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import noTypeCycle from './eslint-rules/no-type-cycle.js';

const root = import.meta.dirname;
const systems = fs.readdirSync(path.join(root, 'src/systems'), { withFileTypes: true }).filter((e) => e.isDirectory());

// What sits at the bottom knows no vendor and no feature above it.
const bottom = [
  'src/errors.ts',
  'src/paths.ts',
  'src/observability',
  'src/cache',
  'src/store',
  'src/upstream',
  'src/config',
  'src/config.ts',
];
const aboveBottom = [
  'src/systems',
  'src/links',
  'src/workflows',
  'src/plugins',
  'src/changes',
  'src/webhooks',
  'src/subscriptions',
  'src/auth',
  'src/context.ts',
  'src/gateway.ts',
  'src/stitching.ts',
  'src/main.ts',
  'resolvers',
];

const layerZones = [
  {
    // Outside a system's folder, the system is its index.ts: what it does not export is its own business.
    target: ['src/!(systems)/**', 'src/*.ts', 'src/systems/*.ts', 'resolvers/**', 'bench/**', 'scripts/**'],
    from: 'src/systems/*/**',
    except: [path.join(root, 'src/systems/*/index.ts')],
    message: 'Import a system only through its entry, src/systems/<system>/index.ts.',
  },
  ...systems.map((system) => ({
    // A system's facts are data: they import nothing of the gateway but types, so the layers below may read their types.
    target: `src/systems/${system.name}/facts.ts`,
    from: ['src', 'resolvers'],
    except: [path.join(root, 'src/systems/facts.ts'), path.join(root, `src/systems/${system.name}/resources.ts`)],
    message: "A system's facts import only the facts' shape (src/systems/facts.ts) and its own resources table.",
  })),
  ...systems.map((system) => ({
    target: `src/systems/${system.name}/**`,
    from: 'src/systems/**',
    // The contract every system implements (src/systems/system.ts) is shared; the registry and other systems are not.
    except: [path.join(root, `src/systems/${system.name}/**`), path.join(root, 'src/systems/@(system|facts).ts')],
    message: 'A system never imports another system (nor the registry of them); cross-system rules live in src/links.',
  })),
  {
    target: ['src/!(config)/**', 'src/!(config).ts', 'resolvers/**', 'bench/**', 'scripts/**'],
    from: 'src/config',
    message: 'Import the configuration through its entry, src/config.ts.',
  },
  {
    target: 'src/systems/**',
    from: ['src/context.ts', 'src/workflows', 'src/plugins', 'src/gateway.ts'],
    message: 'A system sits below the request context, the workflows, the plugins and the gateway.',
  },
  {
    // The schema wiring is the one place where the product meets the GraphQL resolvers.
    target: ['src/*/**', 'src/!(stitching).ts'],
    from: 'resolvers',
    message: 'Only src/stitching.ts imports resolvers/.',
  },
  {
    target: bottom,
    from: aboveBottom.filter((place) => place !== 'src/systems'),
    message: 'The bottom layers (errors, paths, config, observability, cache, store, upstream) import no feature.',
  },
  {
    target: bottom,
    from: 'src/systems',
    // The systems' facts (names, settings, quotas, TTLs): their types (facts.ts, which each facts file fills), and the
    // list of them the registry holds (catalog.ts). Importing the catalog puts a module above the systems: the no-cycle
    // rule then keeps every system from reaching it.
    except: ['./catalog.ts', './facts.ts'],
    message: 'The bottom layers (errors, paths, config, observability, cache, store, upstream) import no feature.',
  },
];

// The emulator is a separate package for demo mode. Matching the specifier (not the resolved file) also catches the
// package name before it exists. (\x2F is "/", which an esquery regex cannot hold.)
const sandboxSpecifier = String.raw`(^|\x2F)sandbox(\x2F|\.ts$|$)|^@switchboard\x2Fsandbox(\x2F|$)`;

export default tseslint.config(
  { ignores: ['**/dist/**', '**/generated/**', 'node_modules/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      // A `let` assigned once later, and read earlier by a closure, is how a composition root wires late parts.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.{ts,js,mjs}'],
    plugins: { 'import-x': importX, switchboard: { rules: { 'no-type-cycle': noTypeCycle } } },
    settings: {
      // Every internal import names its file (`./x.ts`), so the plain node resolver finds it; import-x must be told
      // to parse .ts files with typescript-eslint's parser to follow their imports.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'] })],
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      // A package in node_modules cannot import this repository back, so its files are not walked.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'switchboard/no-type-cycle': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'resolvers/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }] },
  },
  {
    files: ['src/**/*.ts', 'resolvers/**/*.ts'],
    rules: {
      // Static imports and re-exports, everywhere in the product, src/demo.ts included.
      'no-restricted-imports': ['error', { patterns: [{ regex: sandboxSpecifier, message: 'The product never imports the sandbox.' }] }],
      'no-restricted-syntax': [
        'error',
        {
          selector: `ImportExpression[source.value=/${sandboxSpecifier}/]`,
          message: 'The product never imports the sandbox; only src/demo.ts loads it, dynamically, in demo mode.',
        },
      ],
    },
  },
  {
    // Tests, bench and scripts may use the emulator, but as a package: through its entry, not its files.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.{ts,mjs}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^@switchboard/sandbox/|^(\.\./)+sandbox/`,
              message: "Import the sandbox package through its entry, '@switchboard/sandbox'.",
            },
          ],
        },
      ],
    },
  },
  {
    // Demo mode is the one place that loads the emulator, and only on demand.
    files: ['src/demo.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Small files and functions: a function that must be longer says why in an eslint-disable-next-line comment.
    files: [
      'src/**/*.ts',
      'resolvers/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.{ts,mjs}',
      'sandbox/**/*.ts',
      'client/**/*.ts',
      'examples/**/*.ts',
      'eslint-rules/**/*.js',
    ],
    // Seed data is data; the sandbox package lints from its own folder, where its tests are test/**.
    ignores: ['**/seed*.ts', 'sandbox/test/**', 'test/**', '**/*.test.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Tests read arbitrary JSON answers off the wire and poke at them; typing each answer adds noise, not safety.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
