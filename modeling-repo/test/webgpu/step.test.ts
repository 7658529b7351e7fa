/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { expect, it } from '@jest/globals';
import { selectTrainable, tinyCnnClassifier } from '../../src/backbone/index.js';
import { makeSynthetic, type Batch } from '../../src/data/index.js';
import type { Graph } from '../../src/graph/index.js';
import { createEngines } from '../../src/train/device/engines.js';
import { gatherParams, initialState } from '../../src/train/flat-params.js';
import { buildEvalGraph, buildTrainingGraph } from '../../src/train/training-graph.js';
import { describeWebgpu } from './available.js';

const BATCH = 4;
const SIZE = 16;
const STEPS = 4;
// Float32 noise of a few steps of AdamW: the moments amplify rounding differences of the gradients.
const STATE_TOLERANCE = 2e-5;
const LOSS_TOLERANCE = 1e-5;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? Number.NaN)));
  return worst;
}

function setup(): { stepGraph: Graph; evalGraph: Graph; initial: Float32Array; batches: Batch[]; set: ReturnType<typeof makeSynthetic> } {
  const classifier = tinyCnnClassifier({ inputSize: SIZE, trainSize: SIZE, classes: 17, seed: 5, width: 8 });
  const { graph, layout } = buildTrainingGraph(classifier.graph, {
    batch: BATCH, trainable: selectTrainable(classifier.params, 'all'),
    optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, lrMultipliers: { backbone: 1, head: 1 },
  });
  const set = makeSynthetic({ count: BATCH * STEPS, size: SIZE, seed: 9 });
  const bytes = SIZE * SIZE * 3;
  const batches = Array.from({ length: STEPS }, (_, i): Batch => ({
    epoch: 0, index: i, names: set.names.slice(i * BATCH, (i + 1) * BATCH), count: BATCH, mask: new Float32Array(BATCH).fill(1),
    images: set.images.slice(i * BATCH * bytes, (i + 1) * BATCH * bytes), targets: set.targets.slice(i * BATCH * 17, (i + 1) * BATCH * 17),
  }));
  return {
    stepGraph: graph, evalGraph: buildEvalGraph(classifier.graph, layout),
    initial: initialState(gatherParams(classifier.graph, layout)), batches, set,
  };
}

const describeGpu = await describeWebgpu();

describeGpu('device=webgpu training step (state kept on the GPU)', () => {
  it('gives the CPU provider\'s losses, states and validation probabilities within float32 noise', async () => {
    const { stepGraph, evalGraph, initial, batches, set } = setup();
    const request = { threads: 1, stepGraph, evalGraph, stepOptions: {}, inputSize: SIZE, evalBatch: 8, stepsPerRun: 1 };
    const cpu = await createEngines({ ...request, device: 'cpu' });
    const gpu = await createEngines({ ...request, device: 'webgpu' });
    let cpuState: Float32Array = initial.slice();
    let gpuState: Float32Array = initial.slice();
    for (const [i, batch] of batches.entries()) {
      const a = await cpu.runner.run(cpuState, [{ batch, lr: 0.01, step: i + 1 }]);
      const b = await gpu.runner.run(gpuState, [{ batch, lr: 0.01, step: i + 1 }]);
      expect(Math.abs(a.losses[0]! - b.losses[0]!)).toBeLessThan(LOSS_TOLERANCE);
      expect(b.state).toHaveLength(0);
      cpuState = a.state;
      gpuState = b.state;
    }
    const host = await gpu.runner.hostState?.(gpuState) ?? gpuState;
    expect(host).toHaveLength(initial.length);
    expect(maxAbsDiff(host, initial)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(host, cpuState)).toBeLessThan(STATE_TOLERANCE);

    const params = host.length / 3;
    const onCpu = await cpu.evaluator.predict(cpuState.subarray(0, params), set);
    const onGpu = await gpu.evaluator.predict(host.subarray(0, params), set);
    expect(maxAbsDiff(onGpu.probabilities, onCpu.probabilities)).toBeLessThan(1e-5);

    // The host copy stands for the GPU state: training continues from it without an upload, as
    // the loop does after each epoch; an older handle is refused rather than read stale.
    const next = await gpu.runner.run(host, [{ batch: batches[0]!, lr: 0.01, step: STEPS + 1 }]);
    const again = await cpu.runner.run(cpuState, [{ batch: batches[0]!, lr: 0.01, step: STEPS + 1 }]);
    expect(Math.abs(next.losses[0]! - again.losses[0]!)).toBeLessThan(LOSS_TOLERANCE);
    await expect(gpu.runner.run(gpuState, [{ batch: batches[1]!, lr: 0.01, step: STEPS + 2 }])).rejects.toThrow(/stale/);
    await cpu.close();
    await gpu.close();
  });
});
