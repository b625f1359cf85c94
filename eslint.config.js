// Folder import rules of DESIGN.md §2, enforced: shared imports nothing of ours and no platform; the renderer sees
// only shared; services see shared + Node; only electron/main imports 'electron'.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'child_process', 'os', 'http', 'https', 'net', 'crypto', 'url', 'stream', 'events', 'util'];
const pattern = (group, message) => ({ group, message });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench-results/**', '.tmp/**', 'reports/**', 'release/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          pattern(nodeBuiltins, 'shared/ is pure: no Node built-ins (DESIGN.md §2)'),
          pattern(['electron', 'react', 'react-*', '@xyflow/*', 'monaco-editor', '@monaco-editor/*', 'zustand', 'ws', 'serialport'], 'shared/ is pure: no platform or UI libraries'),
          pattern(['**/electron/**', '**/renderer/**', '**/e2e/**'], 'shared/ imports nothing of ours outside shared/'),
        ],
      }],
    },
  },
  {
    // Benchmarks drive the page: functions passed to page.evaluate run in the browser.
    files: ['scripts/bench*.mjs'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', {
        patterns: [
          pattern(nodeBuiltins, 'the renderer runs sandboxed: no Node built-ins'),
          pattern(['electron', 'ws'], 'the renderer talks to the host only through its transport'),
          pattern(['**/electron/**', '**/e2e/**'], 'the renderer imports shared/ only'),
        ],
      }],
    },
  },
  {
    files: ['electron/services/**/*.ts', 'electron/server/**/*.ts', 'electron/cli/**/*.ts', 'electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          pattern(['electron'], "only electron/main imports 'electron' (it throws without the binary)"),
          pattern(['**/renderer/**', '**/e2e/**', '**/main/**'], 'hosts and services import shared/ and services only'),
        ],
      }],
    },
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['electron/services/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          pattern(['electron'], "only electron/main imports 'electron'"),
          pattern(['**/server/**', '**/cli/**', '**/main/**', '**/renderer/**', '**/e2e/**'], 'services import shared/ and Node only'),
        ],
      }],
    },
  },
  {
    files: ['e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [pattern(['**/electron/**', '**/renderer/**'], 'e2e imports shared/ only: it drives the app from outside')],
      }],
    },
  },
);
