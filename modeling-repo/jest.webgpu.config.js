/**
 * The WebGPU suite (`npm run test:webgpu`): device=webgpu end to end on whatever Vulkan driver is
 * there (Mesa's lavapipe on machines without a GPU). It skips, saying why, when none is.
 */
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/webgpu/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // lavapipe runs every shader on the CPU: a smoke training takes minutes there.
  testTimeout: 900000,
};
