/** Jest runs the TypeScript sources as native ESM through SWC (type checking is `npm run typecheck`). */
export default {
  // Node's own typed arrays in every test context: onnxruntime-node's outputs pass instanceof checks.
  testEnvironment: '<rootDir>/test/support/ort-environment.ts',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  // The WebGPU suite has its own command (npm run test:webgpu, jest.webgpu.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/webgpu/'],
  testTimeout: 120000,
};
