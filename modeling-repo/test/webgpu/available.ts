import { describe } from '@jest/globals';
import { webgpuUnavailable } from '../../src/train/device/webgpu-probe.js';

/**
 * The WebGPU suite's gate: `describe` when the provider runs here (on lavapipe unless
 * VK_DRIVER_FILES names another driver), else `describe.skip` with the reason printed. Where the
 * driver is part of the job (CI sets REQUIRE_WEBGPU=true), a missing one fails the suite instead.
 */
export async function describeWebgpu(): Promise<typeof describe | typeof describe.skip> {
  const reason = await webgpuUnavailable(true);
  if (reason === undefined) return describe;
  if (process.env.REQUIRE_WEBGPU === 'true') throw new Error(`REQUIRE_WEBGPU=true, but the WebGPU provider does not run here: ${reason}`);
  // Straight to stderr: Jest drops the console output of a file whose tests all skip.
  process.stderr.write(`webgpu tests skipped: ${reason}\n`);
  return describe.skip;
}
