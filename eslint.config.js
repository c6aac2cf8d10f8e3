// Lint rules, including the layering that keeps each folder to its runtime:
// shared/ is pure TypeScript, renderer/ never reaches Node, snapshots/ never
// imports Electron, and only electron/ may. Nothing outside snapshots/cli
// imports the CLI (the engine's command actions use snapshots/errors.ts,
// exitCodes.ts, output/ and query/), and no module imports itself in a cycle.
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'worker_threads', 'stream', 'url'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tsbuild/', 'test-results/', '.tmp/', 'bench/results/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: ['./!(snapshots)/**/*', './snapshots/!(cli)/**/*', './snapshots/*'], from: './snapshots/cli', message: 'only the CLI imports snapshots/cli: put what others need in the engine (errors.ts, exitCodes.ts, output/, query/)' },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'shared/ runs in the UI too: no Node modules here.' },
            { group: ['electron', 'better-sqlite3', 'mysql2', 'pg', 'ioredis'], message: 'shared/ is pure TypeScript: no drivers or Electron.' },
            { group: ['**/snapshots/**', '**/renderer/**', '**/electron/**'], message: 'shared/ imports nothing outside shared/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'renderer/ runs in a browser: no Node modules.' },
            { group: ['electron', 'better-sqlite3', 'mysql2', 'pg', 'ioredis'], message: 'renderer/ talks to the engine only through the API client.' },
            { group: ['**/snapshots/**', '**/electron/**'], message: 'renderer/ imports shared/ only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['snapshots/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['electron', 'electron/*'], message: 'snapshots/ is the Node engine: it never imports Electron.' }, { group: ['**/renderer/**', '**/electron/**'], message: 'the engine does not depend on the UI or the shell.' }] },
      ],
    },
  },
  {
    // Tests run under Node: they may drive the shell's plain modules and the renderer's transports, never the Electron package itself.
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'the Electron binary is not here: use test/helpers/electronStandIn.ts.' }] }],
    },
  },
);
