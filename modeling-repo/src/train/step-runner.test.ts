/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { describe, expect, it } from '@jest/globals';
import ort from 'onnxruntime-node';
import { selectTrainable, tinyCnnClassifier } from '../backbone/index.js';
import { toOnnxBytes } from '../onnx/index.js';
import { gatherParams, initialState } from './flat-params.js';
import { stateFeeds, stateFromOutputs } from './state-io.js';
import { StepRunner } from './step-runner.js';
import { buildTrainingGraph } from './training-graph.js';

describe('StepRunner', () => {
  it('writes each new state into one of its own two buffers, never into the caller\'s, with the plain run\'s numbers', async () => {
    const batch = 2;
    const size = 8;
    const classifier = tinyCnnClassifier({ inputSize: size, trainSize: size, classes: 17, seed: 3, width: 8 });
    const { graph, layout } = buildTrainingGraph(classifier.graph, {
      batch, trainable: selectTrainable(classifier.params, 'all'),
      optimizer: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, lrMultipliers: { backbone: 1, head: 1 },
    });
    const session = await ort.InferenceSession.create(toOnnxBytes(graph));
    const runner = new StepRunner(session, size);
    const images = Uint8Array.from({ length: batch * size * size * 3 }, (_, i) => (i * 37) % 256);
    const targets = Float32Array.from({ length: batch * 17 }, (_, i) => i % 3 === 0 ? 1 : 0);
    const chips = { epoch: 0, index: 0, names: ['a', 'b'], images, targets, mask: Float32Array.of(1, 1), count: batch };
    const initial = initialState(gatherParams(classifier.graph, layout));
    const untouched = initial.slice();

    const states: Float32Array[] = [];
    let state = initial;
    for (let step = 1; step <= 3; step++) {
      ({ state } = await runner.run(state, chips, 0.01, step));
      states.push(state);
    }
    expect(initial).toEqual(untouched);
    expect(states[0]).not.toBe(states[1]);
    expect(states[2]).toBe(states[0]);
    // A state from outside (a resumed checkpoint) leaves the last result alone.
    const last = states[2]!.slice();
    const outside = await runner.run(untouched.slice(), chips, 0.01, 1);
    expect(outside.state).not.toBe(states[2]);
    expect(states[2]).toEqual(last);

    // The same three steps with ONNX Runtime allocating every output.
    let plain: Float32Array = untouched;
    for (let step = 1; step <= 3; step++) {
      const out = await session.run({
        ...stateFeeds(plain), image: new ort.Tensor('uint8', images, [batch, size, size, 3]),
        target: new ort.Tensor('float32', targets, [batch, 17]), lr: new ort.Tensor('float32', Float32Array.of(0.01), []),
        step: new ort.Tensor('float32', Float32Array.of(step), []),
      });
      plain = stateFromOutputs(out);
    }
    expect(Array.from(state)).toEqual(Array.from(plain));
    await runner.close();
  });
});
