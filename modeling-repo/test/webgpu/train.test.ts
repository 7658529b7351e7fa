/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { beforeAll, expect, it } from '@jest/globals';
import { decodeChip } from '../../src/data/index.js';
import { readBundle, verifyGolden } from '../../src/export/index.js';
import { RunInterrupted, trainRun, type TrainRunResult } from '../../src/pipeline/train-run.js';
import { quiet, smokeConfig, stopAfter } from '../integration/helpers.js';
import { describeWebgpu } from './available.js';

async function smoke(device: string): Promise<TrainRunResult> {
  const { loaded } = await smokeConfig([`device=${device}`]);
  return trainRun({ config: loaded.config, log: quiet });
}

function worstDiff(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  return Math.max(...a.flatMap((row, i) => row.map((p, k) => Math.abs(p - (b[i]?.[k] ?? Number.NaN)))));
}

const describeGpu = await describeWebgpu();

describeGpu('exp=smoke device=webgpu', () => {
  let cpu: TrainRunResult;
  let gpu: TrainRunResult;
  beforeAll(async () => {
    cpu = await smoke('cpu');
    gpu = await smoke('webgpu');
  });

  it('trains to the CPU run\'s validation F2 and exports a bundle whose golden check passes', async () => {
    console.log(`validation F2 (tuned): device=cpu ${cpu.card.metrics.f2.toFixed(4)}, device=webgpu ${gpu.card.metrics.f2.toFixed(4)}`);
    expect(gpu.card.training.device).toBe('webgpu');
    // Same batches, same graph: only float32 rounding differs, which can move a borderline chip.
    expect(Math.abs(gpu.card.metrics.f2 - cpu.card.metrics.f2)).toBeLessThan(0.01);
    expect(gpu.card.metrics.f2).toBeGreaterThan(0.6);
    const a = await readBundle(cpu.bundleDir);
    const b = await readBundle(gpu.bundleDir);
    const decode = (jpeg: Uint8Array, name: string): Promise<Uint8Array> => decodeChip(jpeg, b.card.input.size, name);
    expect(await verifyGolden(b.modelBytes, b.card.input.size, b.golden, decode)).toBeLessThan(1e-6);
    expect(worstDiff(b.golden.map((g) => g.probabilities), a.golden.map((g) => g.probabilities))).toBeLessThan(1e-3);
  });

  it('resumes an interrupted run to the model of the uninterrupted one', async () => {
    const interrupted = await smokeConfig(['device=webgpu']);
    const controller = new AbortController();
    const first = trainRun({ config: interrupted.loaded.config, log: quiet, signal: controller.signal, extraTrackers: [stopAfter(1, controller)] });
    const stopped = await first.then(() => undefined, (error: unknown) => error);
    expect(stopped).toBeInstanceOf(RunInterrupted);
    const resumed = await trainRun({ config: interrupted.loaded.config, log: quiet, resumeDir: (stopped as RunInterrupted).runDir });
    const a = await readBundle(gpu.bundleDir);
    const b = await readBundle(resumed.bundleDir);
    // The checkpoint holds the state read back from the GPU; the resumed steps start from its upload.
    expect(worstDiff(b.golden.map((g) => g.probabilities), a.golden.map((g) => g.probabilities))).toBeLessThan(1e-5);
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([2, 3]);
  });
});
