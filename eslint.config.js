// Lint: eslint's and typescript-eslint's recommended rules (syntax-only, so it stays
// fast), plus a few that keep the codebase honest. `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'bench/out/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', fetch: 'readonly', global: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always'],
      'no-restricted-syntax': [
        'error',
        { selector: "Property[key.name='shell'][value.value=true]", message: 'child processes get argument arrays, never a shell' },
      ],
    },
  },
  {
    // Under tsx, a failing assert.ok(x) without a message makes node re-read the source
    // to print the expression, which can hang node:test for minutes. Say what failed.
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "Property[key.name='shell'][value.value=true]", message: 'child processes get argument arrays, never a shell' },
        { selector: "CallExpression[callee.object.name='assert'][callee.property.name='ok'][arguments.length=1]", message: 'assert.ok needs a message (a bare one can hang node:test under tsx); or use assert.equal/deepEqual' },
        { selector: "CallExpression[callee.name='assert'][arguments.length=1]", message: 'assert(x) needs a message (a bare one can hang node:test under tsx); or use assert.equal/deepEqual' },
      ],
    },
  },
);
