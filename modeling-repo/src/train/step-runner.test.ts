/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { describe, expect, it } from '@jest/globals';
import ort from 'onnxruntime-node';
import { selectTrainable, tinyCnnClassifier } from '../backbone/index.js';
import { toOnnxBytes } from '../onnx/index.js';
import { gatherParams, initialState } from './flat-params.js';
import { multiStepModel } from './multi-step.js';
import { stateFeeds, stateFromOutputs } from './state-io.js';
import { StepRunner, type StepInput } from './step-runner.js';
import { buildTrainingGraph } from './training-graph.js';

const BATCH = 2;
const SIZE = 8;
const CLASSES = 17;

function setup(): { graph: ReturnType<typeof buildTrainingGraph>['graph']; initial: Float32Array } {
  const classifier = tinyCnnClassifier({ inputSize: SIZE, trainSize: SIZE, classes: CLASSES, seed: 3, width: 8 });
  const { graph, layout } = buildTrainingGraph(classifier.graph, {
    batch: BATCH, trainable: selectTrainable(classifier.params, 'all'),
    optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, lrMultipliers: { backbone: 1, head: 1 },
  });
  return { graph, initial: initialState(gatherParams(classifier.graph, layout)) };
}

/** Step `step`'s own batch and learning rate, so that a mix-up of steps inside a run shows. */
function stepInput(step: number): StepInput {
  const images = Uint8Array.from({ length: BATCH * SIZE * SIZE * 3 }, (_, i) => (i * 37 + step * 101) % 256);
  const targets = Float32Array.from({ length: BATCH * CLASSES }, (_, i) => ((i + step) % 3 === 0 ? 1 : 0));
  return { batch: { epoch: 0, index: step, names: ['a', 'b'], images, targets, mask: Float32Array.of(1, 1), count: BATCH }, lr: 0.01 / step, step };
}

/** The same steps one session.run each, with ONNX Runtime allocating every output. */
async function oneByOne(graph: ReturnType<typeof setup>['graph'], initial: Float32Array, steps: readonly StepInput[]): Promise<{ state: Float32Array; losses: number[] }> {
  const session = await ort.InferenceSession.create(toOnnxBytes(graph));
  let state = initial;
  const losses: number[] = [];
  for (const { batch, lr, step } of steps) {
    const out = await session.run({
      ...stateFeeds(state), image: new ort.Tensor('uint8', batch.images, [BATCH, SIZE, SIZE, 3]),
      target: new ort.Tensor('float32', batch.targets, [BATCH, CLASSES]), lr: new ort.Tensor('float32', Float32Array.of(lr), []),
      step: new ort.Tensor('float32', Float32Array.of(step), []),
    });
    state = stateFromOutputs(out);
    losses.push((out.loss?.data as Float32Array)[0] ?? Number.NaN);
  }
  await session.release();
  return { state, losses };
}

describe('StepRunner', () => {
  it('runs several steps per session.run with the numbers of one step per run, bit for bit', async () => {
    const { graph, initial } = setup();
    const steps = [1, 2, 3, 4, 5].map(stepInput);
    const runner = new StepRunner(await ort.InferenceSession.create(multiStepModel(graph)), SIZE, 3);
    const first = await runner.run(initial, steps.slice(0, 3));
    const second = await runner.run(first.state, steps.slice(3));
    const reference = await oneByOne(graph, initial, steps);
    expect([...first.losses, ...second.losses]).toEqual(reference.losses);
    expect(Array.from(second.state)).toEqual(Array.from(reference.state));
    await runner.close();
  });

  it('writes each new state into one of its own two buffers, never into the caller\'s', async () => {
    const { graph, initial } = setup();
    const untouched = initial.slice();
    const runner = new StepRunner(await ort.InferenceSession.create(multiStepModel(graph)), SIZE, 1);
    const states: Float32Array[] = [];
    let state = initial;
    for (let step = 1; step <= 3; step++) {
      ({ state } = await runner.run(state, [stepInput(step)]));
      states.push(state);
    }
    expect(initial).toEqual(untouched);
    expect(states[0]).not.toBe(states[1]);
    expect(states[2]).toBe(states[0]);
    // A state from outside (a resumed checkpoint) leaves the last result alone.
    const last = states[2]!.slice();
    const outside = await runner.run(untouched.slice(), [stepInput(1)]);
    expect(outside.state).not.toBe(states[2]);
    expect(states[2]).toEqual(last);
    await runner.close();
  });

  it('refuses a run without steps and steps of different batch sizes', async () => {
    const { graph, initial } = setup();
    const runner = new StepRunner(await ort.InferenceSession.create(multiStepModel(graph)), SIZE, 2);
    await expect(runner.run(initial, [])).rejects.toThrow(/no steps/);
    const short = stepInput(2);
    const odd = { ...short, batch: { ...short.batch, names: ['a'], images: short.batch.images.subarray(0, SIZE * SIZE * 3), targets: short.batch.targets.subarray(0, CLASSES) } };
    await expect(runner.run(initial, [stepInput(1), odd])).rejects.toThrow(/one size/);
    await runner.close();
  });
});
