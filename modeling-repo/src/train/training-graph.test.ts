/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { describe, expect, it } from '@jest/globals';
import ort from 'onnxruntime-node';
import { selectTrainable, tinyCnnClassifier } from '../backbone/index.js';
import { evaluateGraph, GraphBuilder, NCHWC_DOMAIN, type Graph } from '../graph/index.js';
import { toOnnxBytes } from '../onnx/index.js';
import { adamwReference, appendAdamW, type AdamWState } from './adamw.js';
import { gatherParams, initialState } from './flat-params.js';
import { appendBceWithLogits, bceWithLogits, positiveWeightsFor } from './loss.js';
import { nchwcBlockSize } from './session.js';
import { stateFeeds, stateFromOutputs } from './state-io.js';
import { bakeParams, buildEvalGraph, buildTrainingGraph } from './training-graph.js';

async function session(graph: Graph): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(toOnnxBytes(graph), { graphOptimizationLevel: 'all' });
}

function f32(data: Float32Array | readonly number[], dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(data), [...dims]);
}

function scalar(v: number): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.of(v), []);
}

function data(t: ort.Tensor | undefined): Float32Array {
  return t?.data as Float32Array;
}

/** Deterministic pseudo-random numbers in [-1, 1). */
function noise(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

const hyper = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 };

describe('AdamW in the graph', () => {
  it('matches a float64 reference over several steps with per-group rates and no decay on biases', async () => {
    const n = 64;
    const b = new GraphBuilder('adamw');
    const x = Object.fromEntries(['params', 'grads', 'm', 'v'].map((k) => [k, b.input(k, 'float32', [n])]));
    const lr = b.input('lr', 'float32', []);
    const step = b.input('step', 'float32', []);
    const lrScale = Float32Array.from({ length: n }, (_, i) => (i < n / 2 ? 0.1 : 1));
    const decayMask = Float32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : 1));
    const out = appendAdamW(b, {
      params: x.params ?? '', grads: x.grads ?? '', m: x.m ?? '', v: x.v ?? '', lr, step,
      lrScale: b.constant({ dtype: 'float32', dims: [n], data: lrScale }),
      decayRate: b.constant({ dtype: 'float32', dims: [n], data: decayMask.map((d, i) => d * hyper.weightDecay * (lrScale[i] ?? 0)) }),
    }, hyper);
    b.output(b.named(out.params, 'p_out'));
    b.output(b.named(out.m, 'm_out'));
    b.output(b.named(out.v, 'v_out'));
    const s = await session(b.build());
    let state: AdamWState = { params: Float64Array.from(noise(n, 1)), m: new Float64Array(n), v: new Float64Array(n) };
    let p32: Float32Array = Float32Array.from(state.params);
    let m32: Float32Array = new Float32Array(n);
    let v32: Float32Array = new Float32Array(n);
    const lrs = [1e-3, 3e-3, 1e-2, 5e-3, 1e-3];
    for (let t = 1; t <= lrs.length; t++) {
      const g = noise(n, 100 + t).map((v) => v * 0.1);
      const lrT = lrs[t - 1] ?? 0;
      const r = await s.run({ params: f32(p32, [n]), grads: f32(g, [n]), m: f32(m32, [n]), v: f32(v32, [n]), lr: scalar(lrT), step: scalar(t) });
      [p32, m32, v32] = [data(r.p_out), data(r.m_out), data(r.v_out)];
      state = adamwReference(state, g, { ...hyper, lr: lrT, step: t, lrScale, decayMask });
      const worst = Math.max(...Array.from(p32, (v, i) => Math.abs(v - (state.params[i] ?? 0))));
      expect(worst).toBeLessThan(3e-7);
      expect(Math.max(...Array.from(m32, (v, i) => Math.abs(v - (state.m[i] ?? 0))))).toBeLessThan(1e-8);
    }
    // The update moved every parameter, and the decay-free ones by exactly the Adam part.
    expect(Array.from(p32).every((v, i) => v !== Math.fround(noise(n, 1)[i] ?? 0))).toBe(true);
    await s.release();
  });
});

describe('BCE with logits', () => {
  it('matches the stable float64 formula, including large and zero logits', async () => {
    const b = new GraphBuilder('bce');
    const logits = b.input('x', 'float32', [2, 5]);
    const target = b.input('t', 'float32', [2, 5]);
    b.output(b.named(appendBceWithLogits(b, logits, target), 'loss'));
    const graph = b.build();
    expect(graph.outputs[0]?.shape).toEqual([]);
    const x = [0, 1.5, -2, 100, -100, 30, -30, 0.25, 7, -0.5];
    const t = [1, 0, 1, 0, 1, 1, 0, 0.5, 1, 0];
    const s = await session(graph);
    const r = await s.run({ x: f32(x, [2, 5]), t: f32(t, [2, 5]) });
    const expected = bceWithLogits(x, t);
    expect(Number.isFinite(data(r.loss)[0])).toBe(true);
    expect(data(r.loss)[0]).toBeCloseTo(expected, 4);
    expect(Math.abs((data(r.loss)[0] ?? 0) - expected) / expected).toBeLessThan(1e-6);
    // Hand-computed: logit 0 costs log 2 whatever the target.
    expect(bceWithLogits([0], [1])).toBeCloseTo(Math.LN2, 12);
    await s.release();
  });

  it('smooths the targets towards 1/2 when asked, in the graph as in the reference', async () => {
    const b = new GraphBuilder('bce-smoothed');
    const logits = b.input('x', 'float32', [1, 4]);
    const target = b.input('t', 'float32', [1, 4]);
    b.output(b.named(appendBceWithLogits(b, logits, target, { smoothing: 0.1 }), 'loss'));
    const x = [100, -100, 3, -0.5];
    const t = [1, 0, 1, 0];
    const s = await session(b.build());
    const r = await s.run({ x: f32(x, [1, 4]), t: f32(t, [1, 4]) });
    const expected = bceWithLogits(x, t, { smoothing: 0.1 });
    expect(Math.abs((data(r.loss)[0] ?? 0) - expected) / expected).toBeLessThan(1e-6);
    expect(expected).toBeGreaterThan(bceWithLogits(x, t));
    // Hand-computed: a confident right answer (logit 100, target 1) now costs 100 - 100 * 0.95 = 5.
    expect(bceWithLogits([100], [1], { smoothing: 0.1 })).toBeCloseTo(5, 6);
    await s.release();
  });

  it('weighs each class\'s positive term by its weight, in the graph as in the reference', async () => {
    const b = new GraphBuilder('bce-weighted');
    const logits = b.input('x', 'float32', [2, 3]);
    const target = b.input('t', 'float32', [2, 3]);
    const positiveWeights = [1, 4, 0.5];
    b.output(b.named(appendBceWithLogits(b, logits, target, { positiveWeights }), 'loss'));
    const x = [30, -2, 0.5, -1, 3, -30];
    const t = [1, 1, 0, 0, 1, 1];
    const s = await session(b.build());
    const r = await s.run({ x: f32(x, [2, 3]), t: f32(t, [2, 3]) });
    const expected = bceWithLogits(x, t, { positiveWeights });
    expect(Math.abs((data(r.loss)[0] ?? 0) - expected) / expected).toBeLessThan(1e-6);
    // Weights of 1 give the plain loss; a positive with weight 4 costs 4 log(1 + e^2) at logit -2.
    expect(bceWithLogits(x, t, { positiveWeights: [1, 1, 1] })).toBeCloseTo(bceWithLogits(x, t), 12);
    expect(bceWithLogits([-2], [1], { positiveWeights: [4] })).toBeCloseTo(4 * Math.log1p(Math.exp(2)), 12);
    // A negative is not weighted: logit 0.5, target 0 costs log(1 + e^0.5) whatever the weight.
    expect(bceWithLogits([0.5], [0], { positiveWeights: [9] })).toBeCloseTo(Math.log1p(Math.exp(0.5)), 12);
    await s.release();
  });

  it('derives positive weights from tag frequencies, within [1, max]', () => {
    // 4 rows, 3 classes: class 0 in 2 rows (ratio 1), class 1 in 1 row (ratio 3), class 2 in none.
    const targets = Float32Array.from([1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(positiveWeightsFor(targets, 3, 0.5, 10)).toEqual([1, Math.sqrt(3), 10]);
    expect(positiveWeightsFor(targets, 3, 1, 2)).toEqual([1, 2, 2]);
    expect(positiveWeightsFor(targets, 3, 0, 10)).toEqual([1, 1, 1]);
  });
});

function tinySetup(batch: number, size: number, classes: number, width = 8): { classifier: ReturnType<typeof tinyCnnClassifier>; image: Uint8Array; target: Float32Array } {
  const classifier = tinyCnnClassifier({ inputSize: size, trainSize: size, classes, seed: 11, width });
  const image = Uint8Array.from(noise(batch * size * size * 3, 7), (v) => Math.floor((v + 1) * 127.5));
  const target = Float32Array.from(noise(batch * classes, 8), (v) => (v > 0 ? 1 : 0));
  return { classifier, image, target };
}

describe('training step graph', () => {
  it('lowers the loss on a fixed batch over a few steps and keeps frozen parameters as initializers', async () => {
    const batch = 4;
    const { classifier, image, target } = tinySetup(batch, 16, 17);
    const trainable = selectTrainable(classifier.params, 'all');
    const { graph, layout } = buildTrainingGraph(classifier.graph, { batch, trainable, optimizer: hyper, lrMultipliers: { backbone: 1, head: 1 } });
    expect(graph.inputs.map((i) => [i.name, i.shape])).toEqual([
      ['params', [layout.size]], ['adam_m', [layout.size]], ['adam_v', [layout.size]],
      ['image', [batch, 16, 16, 3]], ['target', [batch, 17]], ['lr', []], ['step', []],
    ]);
    expect(graph.outputs.map((o) => o.name)).toEqual(['params_out', 'adam_m_out', 'adam_v_out', 'loss', 'logits']);
    expect(trainable.every((p) => !graph.initializers.has(p.name))).toBe(true);
    const s = await session(graph);
    let state = initialState(gatherParams(classifier.graph, layout));
    const losses: number[] = [];
    for (let step = 1; step <= 12; step++) {
      const r = await s.run({
        ...stateFeeds(state), image: new ort.Tensor('uint8', image, [batch, 16, 16, 3]),
        target: f32(target, [batch, 17]), lr: scalar(0.03), step: scalar(step),
      });
      losses.push(data(r.loss)[0] ?? NaN);
      state = stateFromOutputs(r);
    }
    expect(losses[0]).toBeCloseTo(Math.LN2, 1);
    expect(losses.at(-1)).toBeLessThan((losses[0] ?? 0) * 0.8);
    await s.release();

    // Head only: the backbone's weights become initializers and only the head moves.
    const headOnly = buildTrainingGraph(classifier.graph, { batch, trainable: selectTrainable(classifier.params, 'head'), optimizer: hyper, lrMultipliers: { backbone: 1, head: 1 } });
    expect(headOnly.layout.slots.map((slot) => slot.name)).toEqual(['head.weight', 'head.bias']);
    expect(headOnly.graph.initializers.has('stem.weight')).toBe(true);
  });

  it.each(['plain', 'NCHWc'])('gives gradients equal to float64 central finite differences of its loss (%s kernels)', async (kernels) => {
    const batch = 2;
    const { classifier, image, target } = tinySetup(batch, 8, 3, 4);
    const trainable = selectTrainable(classifier.params, 'all');
    // The tiny CNN's 1-4 channels make the NCHWc graph pad every tensor to a block.
    const nchwcBlock = kernels === 'plain' ? 0 : await nchwcBlockSize();
    if (kernels !== 'plain' && nchwcBlock === 0) {
      console.log('skipped: this ONNX Runtime build has no NCHWc kernels');
      return;
    }
    const { graph, layout } = buildTrainingGraph(classifier.graph, { batch, trainable, optimizer: hyper, lrMultipliers: { backbone: 1, head: 1 }, exposeGradients: true, nchwcBlock });
    // Zero biases put ReLU inputs exactly on the kink where no derivative exists (a dead input
    // channel gives pre-activation = bias = 0): move every parameter off it, and make the head
    // larger so the backbone's gradients stand well above float32 noise.
    const params = gatherParams(classifier.graph, layout).map((v, i) => v + 0.2 * (noise(layout.size, 3)[i] ?? 0));
    const head = layout.slots.find((slot) => slot.name === 'head.weight');
    for (let i = 0; i < (head?.size ?? 0); i++) params[(head?.offset ?? 0) + i] = noise(head?.size ?? 0, 4)[i] ?? 0;
    const state = initialState(params);
    const s = await session(graph);
    const r = await s.run({
      ...stateFeeds(state), image: new ort.Tensor('uint8', image, [batch, 8, 8, 3]),
      target: f32(target, [batch, 3]), lr: scalar(0), step: scalar(1),
    });
    const grads = data(r.grads);
    await s.release();
    const feeds = (st: Float64Array): Parameters<typeof evaluateGraph>[1] => ({
      ...Object.fromEntries(['params', 'adam_m', 'adam_v'].map((name, k) => {
        const p = st.length / 3;
        return [name, { dtype: 'float64' as const, dims: [p], data: st.subarray(k * p, (k + 1) * p) }];
      })),
      image: { dtype: 'uint8', dims: [batch, 8, 8, 3], data: image },
      target: { dtype: 'float32', dims: [batch, 3], data: target },
      lr: { dtype: 'float32', dims: [], data: Float32Array.of(0) },
      step: { dtype: 'float32', dims: [], data: Float32Array.of(1) },
    });
    const lossAt = (st: Float64Array): number => (evaluateGraph(graph, feeds(st)).loss?.data[0] as number);
    // float64 evaluation allows a small step, which also makes crossing a ReLU kink unlikely.
    const h = 1e-6;
    // Up to six coordinates of every parameter tensor, spread over it.
    const coords = layout.slots.flatMap((slot) => Array.from({ length: Math.min(slot.size, 6) }, (_, k) => slot.offset + Math.floor((k * slot.size) / Math.min(slot.size, 6))));
    const scale = Math.max(...Array.from(grads, Math.abs));
    // Relative error, measured against 1 % of the largest gradient for the tiny ones.
    const errors = coords.map((i) => {
      const plus = Float64Array.from(state);
      const minus = Float64Array.from(state);
      plus[i] = (plus[i] ?? 0) + h;
      minus[i] = (minus[i] ?? 0) - h;
      const numeric = (lossAt(plus) - lossAt(minus)) / (2 * h);
      return Math.abs((grads[i] ?? 0) - numeric) / Math.max(Math.abs(numeric), 0.01 * scale);
    });
    expect(errors).toHaveLength(layout.slots.reduce((n, slot) => n + Math.min(slot.size, 6), 0));
    expect(Math.max(...errors)).toBeLessThan(1e-4);
  });
});

describe('training step on NCHWc kernels', () => {
  it('gives the plain step\'s losses and states to float32 rounding, over several steps', async () => {
    const block = await nchwcBlockSize();
    if (block === 0) {
      console.log('skipped: this ONNX Runtime build has no NCHWc kernels');
      return;
    }
    const batch = 4;
    const { classifier, image, target } = tinySetup(batch, 16, 17, 16);
    const trainable = selectTrainable(classifier.params, 'all');
    const options = { batch, trainable, optimizer: hyper, lrMultipliers: { backbone: 0.5, head: 1 } };
    const runs = await Promise.all([0, block].map(async (nchwcBlock) => {
      const { graph, layout } = buildTrainingGraph(classifier.graph, { ...options, nchwcBlock });
      const s = await session(graph);
      let state = initialState(gatherParams(classifier.graph, layout));
      const losses: number[] = [];
      for (let step = 1; step <= 4; step++) {
        const r = await s.run({
          ...stateFeeds(state), image: new ort.Tensor('uint8', image, [batch, 16, 16, 3]),
          target: f32(target, [batch, 17]), lr: scalar(0.01), step: scalar(step),
        });
        losses.push(data(r.loss)[0] ?? NaN);
        state = stateFromOutputs(r);
      }
      await s.release();
      return { losses, state, nchwcOps: graph.nodes.filter((n) => n.domain === NCHWC_DOMAIN).length };
    }));
    const [plain, nchwc] = runs;
    expect(plain?.nchwcOps).toBe(0);
    expect(nchwc?.nchwcOps).toBeGreaterThan(0);
    nchwc?.losses.forEach((loss, i) => {
      expect(loss).toBeCloseTo(plain?.losses[i] ?? NaN, 5);
    });
    const worst = Math.max(...Array.from(nchwc?.state ?? [], (v, i) => Math.abs(v - (plain?.state[i] ?? NaN)) / (1 + Math.abs(v))));
    expect(worst).toBeLessThan(1e-4);
  });
});

describe('eval graph and baking', () => {
  it('reads parameters from the flat vector with a dynamic batch, and baked params reproduce it', async () => {
    const { classifier, image } = tinySetup(3, 16, 17);
    const trainable = selectTrainable(classifier.params, 'last_k', 1);
    const { layout } = buildTrainingGraph(classifier.graph, { batch: 3, trainable, optimizer: hyper, lrMultipliers: { backbone: 0.1, head: 1 } });
    const evalGraph = buildEvalGraph(classifier.graph, layout);
    expect(evalGraph.inputs.map((i) => [i.name, i.shape])).toEqual([['params', [layout.size]], ['image', ['N', 16, 16, 3]]]);
    const params = gatherParams(classifier.graph, layout).map((v, i) => v + 0.01 * (noise(layout.size, 5)[i] ?? 0));
    const e = await session(evalGraph);
    const byEval = await e.run({ params: f32(params, [layout.size]), image: new ort.Tensor('uint8', image, [3, 16, 16, 3]) });
    await e.release();
    const baked = bakeParams(classifier.graph, layout.slots.map((slot) => slot.name), params);
    const c = await session(baked);
    const byBaked = await c.run({ image: new ort.Tensor('uint8', image, [3, 16, 16, 3]) });
    await c.release();
    expect(Array.from(data(byBaked.probabilities))).toEqual(Array.from(data(byEval.probabilities)));
    // The original classifier is unchanged and gives different outputs.
    expect(classifier.graph.initializers.get('head.bias')?.data).toEqual(new Float32Array(17));
    expect(() => bakeParams(classifier.graph, ['nope'], params)).toThrow('parameter "nope" is not an initializer');
  });
});
