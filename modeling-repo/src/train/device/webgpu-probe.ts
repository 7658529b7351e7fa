import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { GpuTransfer } from './transfer.js';

/** Mesa's lavapipe, the Vulkan driver that runs on the CPU (Debian's mesa-vulkan-drivers >= 25). */
export const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';

/**
 * Why ONNX Runtime's WebGPU provider cannot run here, or undefined when it can: the Vulkan ICD
 * file (VK_DRIVER_FILES, else lavapipe's) must exist and a WebGPU session must move a tensor to
 * the GPU and back. With `useLavapipe`, an unset VK_DRIVER_FILES is pointed at lavapipe first.
 */
export async function webgpuUnavailable(useLavapipe = false): Promise<string | undefined> {
  if (useLavapipe && (process.env.VK_DRIVER_FILES ?? '') === '') process.env.VK_DRIVER_FILES = LAVAPIPE_ICD;
  const icd = process.env.VK_DRIVER_FILES ?? '';
  if (icd !== '' && icd.split(':').every((file) => !existsSync(file))) {
    return `Vulkan ICD file ${icd} not found (install Mesa's lavapipe: bash .ci/install-lavapipe.sh, or set VK_DRIVER_FILES to a GPU driver's ICD)`;
  }
  if (!ort.listSupportedBackends().some((entry) => entry.name === 'webgpu')) return 'this onnxruntime-node build has no WebGPU provider';
  try {
    const transfer = await GpuTransfer.create({ executionProviders: ['webgpu'] });
    const probe = Float32Array.of(1, 2, 3);
    const onGpu = await transfer.upload(probe);
    const back = await transfer.download(onGpu);
    onGpu.dispose();
    await transfer.close();
    return back.every((v, i) => v === probe[i]) ? undefined : 'a WebGPU round trip changed the values';
  } catch (error) {
    return `the WebGPU provider failed to create a session: ${(error as Error).message}`;
  }
}
