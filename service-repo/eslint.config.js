// Strict lint: strict type-checked rules plus limits that keep functions small and simple, and the
// import boundaries of ARCHITECTURE.md (see architecture-rules.js).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundariesConfig } from './architecture-rules.js';

const browserGlobals = Object.fromEntries(
  ['window', 'document', 'fetch', 'FormData', 'File', 'Blob', 'URL', 'console', 'performance', 'createImageBitmap',
    'HTMLElement', 'HTMLInputElement', 'Event', 'DragEvent', 'Uint8Array', 'Float32Array', 'Promise', 'Math', 'Number',
    'Object', 'Array', 'JSON', 'Error', 'String', 'Map', 'crossOriginIsolated', 'navigator', 'globalThis', 'atob']
    .map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/**', '.cache/**', 'coverage/**', 'eslint.config.js', 'jest.config.js', 'architecture-rules.js', 'knip.config.js'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked, ...tseslint.configs.stylisticTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      complexity: ['error', 12],
      'max-depth': ['error', 3],
      'max-params': ['error', 5],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-nested-callbacks': ['error', 3],
      'no-magic-numbers': 'off',
      '@typescript-eslint/no-magic-numbers': ['error', {
        ignore: [-1, 0, 1, 2, 3, 4, 8, 10, 16, 32, 100, 255, 1000, 1024],
        ignoreArrayIndexes: true, ignoreDefaultValues: true, ignoreEnums: true,
        ignoreNumericLiteralTypes: true, ignoreReadonlyClassProperties: true, ignoreTypeIndexes: true,
      }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true }],
      eqeqeq: 'error',
      'no-console': 'off',
    },
  },
  {
    // Fastify plugins, routes and hooks are async functions by contract, awaited or not.
    files: ['src/routes/**/*.ts', 'src/plugins/**/*.ts', 'src/app.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // Tests, benchmarks and scripts: fixtures use literal numbers and long describe blocks.
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-magic-numbers': 'off',
      'max-lines-per-function': 'off',
      'max-nested-callbacks': ['error', 5],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The browser page: plain ES modules served as they are (no build step).
    files: ['public/**/*.js'],
    languageOptions: { sourceType: 'module', globals: browserGlobals },
    rules: { complexity: ['error', 12], 'max-depth': ['error', 3], 'max-lines-per-function': ['error', 80], eqeqeq: 'error' },
  },
  ...boundariesConfig(),
);
