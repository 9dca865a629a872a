import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'ui/dist/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-control-regex': 'off',
    },
  },
  // The layers' arrows point down: the language (src/logql) knows nothing of storage, the engine
  // or the API; storage knows the language's plan types but not the engine or the API (the
  // backends' tests may run the engine's known-answer suite, src/query/testing/, over them).
  {
    files: ['src/logql/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/storage/**', '**/query/**', '**/api/**', '**/ingest/**', '**/processor/**', '**/alerting/**'], message: 'src/logql is the language: it must not import storage, engine, API or ingest code.' }] }],
    },
  },
  {
    files: ['src/storage/**/*.ts'],
    ignores: ['src/storage/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/query/**', '**/api/**', '**/ingest/**', '**/processor/**', '**/alerting/**'], message: 'src/storage must not import the query engine, the API or ingest code.' }] }],
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
