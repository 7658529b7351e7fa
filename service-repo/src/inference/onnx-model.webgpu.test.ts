import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { cleanTempDirs, tinyBundle } from '../../test/helpers/app.js';
import { skipNotice } from '../../test/helpers/skip-notice.js';
import { readBundle, type Bundle } from './bundle.js';
import { OnnxModel } from './onnx-model.js';

afterAll(cleanTempDirs);

/** Mesa's lavapipe: a Vulkan driver on the CPU, so the WebGPU path runs on machines without a GPU. */
const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';
const SIZE = 16;
const image = (value: number): Uint8Array => Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => (i * value) % 256);

if ((process.env.VK_DRIVER_FILES ?? '') === '' && existsSync(LAVAPIPE_ICD)) process.env.VK_DRIVER_FILES = LAVAPIPE_ICD;
const bundle: Bundle = await readBundle((await tinyBundle()).dir);

/** The model on WebGPU, or why it cannot load here. */
async function loadOnWebgpu(): Promise<OnnxModel | string> {
  const icd = process.env.VK_DRIVER_FILES ?? '';
  if (icd !== '' && !existsSync(icd)) return `Vulkan ICD file ${icd} not found`;
  try {
    return await OnnxModel.load(bundle, { threads: 1, device: 'webgpu' });
  } catch (error) {
    return `the WebGPU provider failed to start: ${(error as Error).message}`;
  }
}

const gpu = await loadOnWebgpu();
if (typeof gpu === 'string') skipNotice('ORT_DEVICE=webgpu tests', `${gpu} (install Mesa's lavapipe, e.g. bash ../.ci/install-lavapipe.sh)`);
const describeGpu = typeof gpu === 'string' ? describe.skip : describe;

describeGpu('OnnxModel on ORT_DEVICE=webgpu', () => {
  it('gives the CPU provider\'s probabilities, batch by batch', async () => {
    const model = gpu as OnnxModel;
    const cpu = await OnnxModel.load(bundle, { threads: 1 });
    const batch = [image(3), image(7), image(11)];
    const [onGpu, onCpu] = [await model.run(batch), await cpu.run(batch)];
    for (const [i, row] of onGpu.entries()) {
      const reference = onCpu[i]!;
      expect(row).toHaveLength(reference.length);
      row.forEach((p, k) => { expect(Math.abs(p - reference[k]!)).toBeLessThan(1e-5); });
    }
    expect(Array.from(onGpu[0]!)).not.toEqual(Array.from(onGpu[1]!));
    await cpu.release();
    await model.release();
  });
});
