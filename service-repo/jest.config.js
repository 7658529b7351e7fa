/** Jest runs the TypeScript sources as native ESM through SWC (type checking is `npm run typecheck`). */
export default {
  // Node's typed arrays inside tests (see test/helpers/ort-environment.ts).
  testEnvironment: '<rootDir>/test/helpers/ort-environment.ts',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 120000,
};
