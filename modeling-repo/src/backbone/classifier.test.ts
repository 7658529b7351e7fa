/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import type { Graph } from '../graph/index.js';
import { toOnnxBytes } from '../onnx/index.js';
import { selectTrainable } from './blocks.js';
import { buildClassifier, resizeScale } from './classifier.js';
import { MOBILENET_V2_QUANT_TFLITE } from './known.js';
import { backboneGraph } from './load.js';
import { sharedBackbone } from '../../test/support/backbones.js';
import { tinyCnnBackbone, tinyCnnClassifier } from './tiny-cnn.js';

async function infer(graph: Graph, image: Uint8Array, dims: number[]): Promise<{ logits: Float32Array; probabilities: Float32Array }> {
  const session = await ort.InferenceSession.create(toOnnxBytes(graph));
  const out = await session.run({ image: new ort.Tensor('uint8', image, dims) });
  await session.release();
  return { logits: out.logits?.data as Float32Array, probabilities: out.probabilities?.data as Float32Array };
}

/** A backbone that is only the global pool: its features are the preprocessed image's channel means. */
function poolOnly(size: number): Graph {
  return {
    name: 'pool-only',
    inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 3, size, size] }],
    outputs: [{ name: 'f', dtype: 'float32', shape: ['N', 3, 1, 1] }],
    nodes: [{ op: 'GlobalAveragePool', inputs: ['x'], outputs: ['f'], attrs: {} }],
    initializers: new Map(),
  };
}

describe('buildClassifier', () => {
  it('casts, transposes, resizes and scales uint8 NHWC chips to [-1, 1] in front of the backbone', async () => {
    const classifier = buildClassifier(poolOnly(16), { inputSize: 8, trainSize: 16, classes: 2, seed: 1 });
    const { graph } = classifier;
    expect(graph.inputs).toEqual([{ name: 'image', dtype: 'uint8', shape: ['N', 8, 8, 3] }]);
    expect(graph.outputs.map((o) => [o.name, o.shape])).toEqual([['logits', ['N', 2]], ['probabilities', ['N', 2]]]);
    expect(graph.nodes.map((n) => n.op).slice(0, 5)).toEqual(['Cast', 'Transpose', 'Resize', 'Div', 'Sub']);
    // A constant image stays constant through bilinear resizing: features are exactly c / 127.5 - 1.
    const image = new Uint8Array(2 * 8 * 8 * 3);
    image.forEach((_, i) => { image[i] = i < 8 * 8 * 3 ? [0, 255, 51][i % 3] ?? 0 : 127; });
    const out = await infer(graph, image, [2, 8, 8, 3]);
    const w = graph.initializers.get('head.weight')?.data as Float32Array;
    const features = [[-1, 1, 51 / 127.5 - 1], [127 / 127.5 - 1, 127 / 127.5 - 1, 127 / 127.5 - 1]];
    features.forEach((f, n) => {
      for (let k = 0; k < 2; k++) {
        const logit = f.reduce((sum, v, c) => sum + v * (w[k * 3 + c] ?? 0), 0);
        expect(out.logits[n * 2 + k]).toBeCloseTo(logit, 6);
        expect(out.probabilities[n * 2 + k]).toBeCloseTo(1 / (1 + Math.exp(-logit)), 6);
      }
    });
    expect(classifier.params.map((p) => [p.name, p.group, p.kind])).toEqual([['head.weight', 'head', 'weight'], ['head.bias', 'head', 'bias']]);
  });

  it('skips the Resize when the input already has the training size', () => {
    const { graph } = buildClassifier(poolOnly(8), { inputSize: 8, trainSize: 8, classes: 2, seed: 1, batch: 4 });
    expect(graph.nodes.some((n) => n.op === 'Resize')).toBe(false);
    expect(graph.inputs[0]?.shape).toEqual([4, 8, 8, 3]);
  });

  it('initialises the head from the seed: small, reproducible, different per seed', () => {
    const a = tinyCnnClassifier({ inputSize: 16, trainSize: 16, classes: 17, seed: 5 }).graph.initializers.get('head.weight');
    const b = tinyCnnClassifier({ inputSize: 16, trainSize: 16, classes: 17, seed: 5 }).graph.initializers.get('head.weight');
    const c = tinyCnnClassifier({ inputSize: 16, trainSize: 16, classes: 17, seed: 6 }).graph.initializers.get('head.weight');
    expect(a?.dims).toEqual([17, 32]);
    expect(a?.data).toEqual(b?.data);
    expect(a?.data).not.toEqual(c?.data);
    const values = Array.from(a?.data as Float32Array);
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std).toBeGreaterThan(0.005);
    expect(std).toBeLessThan(0.02);
  });

  it('finds a Resize scale that gives exactly the target size in float32', () => {
    for (const [from, to] of [[32, 64], [100, 64], [3, 7], [224, 64], [7, 3]] as const) {
      const s = resizeScale(from, to);
      expect(Math.floor(Math.fround(from * s))).toBe(to);
      expect(Math.floor(from * s)).toBe(to);
    }
  });

  it('names what is missing when the backbone has no pooled features', () => {
    const noPool: Graph = { ...poolOnly(8), nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['f'], attrs: {} }] };
    expect(() => buildClassifier(noPool, { inputSize: 8, trainSize: 8, classes: 2, seed: 1 })).toThrow('has no GlobalAveragePool');
  });
});

describe('tiny CNN', () => {
  it('is a small classifier that runs and gives probabilities', async () => {
    const classifier = tinyCnnClassifier({ inputSize: 16, trainSize: 32, classes: 17, seed: 3 });
    expect(classifier.featureSize).toBe(32);
    expect(classifier.backboneBlocks).toBe(2);
    expect(classifier.params.map((p) => `${p.name}:${p.block}`)).toEqual([
      'stem.weight:0', 'stem.bias:0', 'conv1.weight:1', 'conv1.bias:1', 'dw2.weight:1', 'dw2.bias:1',
      'pw3.weight:1', 'pw3.bias:1', 'head.weight:2', 'head.bias:2',
    ]);
    // Two different images: a pattern, and its negative with a gradient added.
    const image = Uint8Array.from({ length: 2 * 16 * 16 * 3 }, (_, i) => (i < 768 ? (i * 37) % 256 : 255 - ((i * 37) % 256) / 2 - (i % 48)));
    const out = await infer(classifier.graph, image, [2, 16, 16, 3]);
    expect(out.probabilities).toHaveLength(34);
    out.probabilities.forEach((p, i) => { expect(p).toBeCloseTo(1 / (1 + Math.exp(-(out.logits[i] ?? 0))), 6); });
    // Different images give different logits: the backbone is not dead.
    expect(out.logits[0]).not.toBeCloseTo(out.logits[17] ?? 0, 6);
    expect(tinyCnnBackbone(32, { seed: 3 }).initializers.get('dw2.weight')?.dims).toEqual([16, 1, 3, 3]);
  });
});

const onnxPath = sharedBackbone('mobilenet_v2_1.0_224_imagenet.onnx', 'MobileNetV2 classifier tests') ?? '';
const tflitePath = sharedBackbone(MOBILENET_V2_QUANT_TFLITE.file, 'MobileNetV2 TFLite classifier tests') ?? '';
const maybe = onnxPath === '' || tflitePath === '' ? it.skip : it;

describe('MobileNetV2 classifier', () => {
  maybe('derives stem, 17 inverted-residual blocks and the final conv from the structure, the same for ONNX and TFLite', async () => {
    const options = { inputSize: 32, trainSize: 64, classes: 17, seed: 9 };
    const fromOnnx = buildClassifier(backboneGraph(readFileSync(onnxPath), 'onnx', 64, 'onnx'), options);
    const fromTflite = buildClassifier(backboneGraph(readFileSync(tflitePath), 'tflite', 64, 'tflite'), options);
    for (const c of [fromOnnx, fromTflite]) {
      expect(c.featureSize).toBe(1280);
      expect(c.backboneBlocks).toBe(19);
      expect(c.params).toHaveLength(52 * 2 + 2);
      const perBlock = Array.from({ length: 20 }, (_, b) => c.params.filter((p) => p.block === b).length);
      // Stem conv; block 1 has no expansion (depthwise + project); 16 blocks of expand, depthwise, project; final conv; head.
      expect(perBlock).toEqual([2, 4, ...Array<number>(16).fill(6), 2, 2]);
      expect(c.graph.nodes.some((n) => n.op === 'Softmax')).toBe(false);
      expect(selectTrainable(c.params, 'last_k', 2, c.backboneBlocks).map((p) => p.block)).toEqual([17, 17, 17, 17, 17, 17, 18, 18, 19, 19]);
      expect(selectTrainable(c.params, 'head', 0, c.backboneBlocks)).toHaveLength(2);
      expect(selectTrainable(c.params, 'all', 0, c.backboneBlocks)).toHaveLength(106);
    }
    const image = Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 7 + (i >> 5)) % 256);
    const a = await infer(fromOnnx.graph, image, [1, 32, 32, 3]);
    const b = await infer(fromTflite.graph, image, [1, 32, 32, 3]);
    a.logits.forEach((v, i) => { expect(v).toBeCloseTo(b.logits[i] ?? NaN, 5); });
  });
});
