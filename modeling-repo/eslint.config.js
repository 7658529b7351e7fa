// Strict lint in the spirit of wemake-python-styleguide: strict type-checked rules plus
// limits that keep functions small and simple.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';
import { readLayers } from './eslint.architecture.js';

// The import boundaries of ARCHITECTURE.md: each src/ folder is one element; across elements a
// file may import only the folders its row names, and only their index.ts. Tests and benchmarks
// are white-box and exempt. Imports inside one folder are not checked.
const layers = readLayers();
const INDEX = 'index.ts';
const srcFolders = layers.map((layer) => layer.folder);
const toIndexOf = (folders) => ({ to: { element: { types: { anyOf: folders }, fileInternalPath: INDEX } } });
const boundaryPolicies = [
  ...layers.filter((layer) => layer.mayImport.length > 0).map((layer) => ({
    from: { element: { type: layer.folder } },
    allow: toIndexOf(layer.mayImport),
  })),
  { from: { element: { type: 'scripts' } }, allow: toIndexOf(srcFolders) },
  { from: { element: { type: 'scripts' } }, allow: { to: { element: { type: 'test-servers' } } } },
];
const architecture = {
  files: ['src/**/*.ts', 'scripts/**/*.ts'],
  ignores: ['**/*.test.ts'],
  plugins: { boundaries },
  settings: {
    'boundaries/elements': [
      ...srcFolders.map((folder) => ({ type: folder, pattern: `src/${folder}` })),
      { type: 'scripts', pattern: 'scripts' },
      { type: 'test-servers', pattern: 'test/servers' },
    ],
    'import/resolver': { typescript: { project: './tsconfig.json' } },
  },
  rules: {
    'boundaries/dependencies': ['error', {
      default: 'disallow',
      message: 'ARCHITECTURE.md: {{from.type}} may not import {{to.type}}/{{to.internalPath}} (a folder may import only the folders its row names, through their index.ts)',
      policies: boundaryPolicies,
    }],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'runs/**', 'models/**', '.cache/**', '.gpu/**', 'coverage/**', 'eslint.config.js', 'eslint.architecture.js', 'eslint.architecture.d.ts', 'jest.config.js', 'jest.webgpu.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
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
      'eqeqeq': 'error',
      'no-console': 'off',
    },
  },
  {
    // Tests and benchmarks: fixtures use literal numbers and long describe blocks.
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-magic-numbers': 'off',
      'max-lines-per-function': 'off',
      'max-nested-callbacks': ['error', 5],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  architecture,
);
