/**
 * @jest-environment ./test/support/ort-environment.ts
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import type { Graph } from '../graph/ir.js';
import { fromOnnxBytes, toOnnxBytes } from '../onnx/index.js';
import { MOBILENET_V2_QUANT_TFLITE } from './known.js';
import { importTflite } from './tflite.js';
import { BuiltinOp, readTflite } from './tflite-reader.js';
import { sharedBackbone } from '../../test/support/backbones.js';

const tflitePath = sharedBackbone(MOBILENET_V2_QUANT_TFLITE.file, 'TFLite MobileNetV2 tests') ?? '';
const maybe = tflitePath === '' ? it.skip : it;
const onnxPath = sharedBackbone('mobilenet_v2_1.0_224_imagenet.onnx', 'TFLite-vs-ONNX comparison') ?? '';
const maybeBoth = tflitePath === '' || onnxPath === '' ? it.skip : it;

/** The graph with its pooled features (the GlobalAveragePool output) added as an output. */
function withFeatures(graph: Graph): Graph {
  const pool = graph.nodes.find((n) => n.op === 'GlobalAveragePool');
  const name = pool?.outputs[0] ?? '';
  return { ...graph, outputs: [...graph.outputs, { name, dtype: 'float32', shape: ['N', 1280, 1, 1] }] };
}

async function run(graph: Graph, input: Float32Array, size: number): Promise<{ probs: Float32Array; features: Float32Array }> {
  const g = withFeatures(graph);
  const session = await ort.InferenceSession.create(toOnnxBytes(g));
  const feeds = { [g.inputs[0]?.name ?? '']: new ort.Tensor('float32', input, [2, 3, size, size]) };
  const out = await session.run(feeds);
  await session.release();
  return { probs: out[g.outputs[0]?.name ?? '']?.data as Float32Array, features: out[g.outputs[1]?.name ?? '']?.data as Float32Array };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] ?? NaN))), 0);
}

function countOps(ops: readonly { op: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of ops) {
    counts[n.op] = (counts[n.op] ?? 0) + 1;
  }
  return counts;
}

describe('readTflite', () => {
  it('rejects bytes that are not a TFLite flatbuffer', () => {
    expect(() => readTflite(new Uint8Array(64), 'x.tflite')).toThrow('x.tflite: not a TFLite flatbuffer');
  });

  maybe('reads the MobileNetV2 operators, tensors and quantization', () => {
    const model = readTflite(readFileSync(tflitePath));
    const codes = model.operators.map((o) => o.opcode);
    expect(codes.filter((c) => c === BuiltinOp.CONV_2D)).toHaveLength(36);
    expect(codes.filter((c) => c === BuiltinOp.DEPTHWISE_CONV_2D)).toHaveLength(17);
    expect(codes.filter((c) => c === BuiltinOp.ADD)).toHaveLength(10);
    const input = model.tensors[model.inputs[0] ?? -1];
    expect(input?.shape).toEqual([1, 224, 224, 3]);
    expect(input?.type).toBe('uint8');
    // The input is quantized to [-1, 1): scale 1/128 around 128.
    expect(input?.quantization?.scale[0]).toBeCloseTo(1 / 128, 9);
    expect(input?.quantization?.zeroPoint[0]).toBe(128n);
  });
});

describe('importTflite', () => {
  maybe('converts MobileNetV2 into float ONNX-style nodes with SAME padding made explicit', () => {
    const imported = importTflite(readFileSync(tflitePath), 64);
    expect(imported.sha256).toBe(MOBILENET_V2_QUANT_TFLITE.sha256);
    expect(imported.nativeSize).toBe(224);
    expect(countOps(imported.graph.nodes)).toEqual({ Conv: 53, Clip: 35, Add: 10, GlobalAveragePool: 1, Flatten: 1, Softmax: 1 });
    const first = imported.graph.nodes[0];
    expect(first?.op).toBe('Conv');
    expect(first?.inputs[0]).toBe('input');
    // 64 px, 3x3 stride 2: TensorFlow pads 0 before and 1 after.
    expect(first?.attrs.pads).toEqual({ kind: 'ints', value: [0, 0, 1, 1] });
    const stem = imported.graph.initializers.get(first?.inputs[1] ?? '');
    expect(stem?.dims).toEqual([32, 3, 3, 3]);
    const depthwise = imported.graph.nodes.find((n) => n.op === 'Conv' && n.attrs.group?.kind === 'int' && n.attrs.group.value > 1);
    expect(imported.graph.initializers.get(depthwise?.inputs[1] ?? '')?.dims).toEqual([32, 1, 3, 3]);
    expect(imported.graph.outputs).toEqual([{ name: 'probs', dtype: 'float32', shape: ['N', 1001] }]);
  });

  maybeBoth('gives the same features and probabilities as the shared float ONNX', async () => {
    const size = 64;
    const input = new Float32Array(2 * 3 * size * size);
    // A smooth, image-like pattern in [-1, 1] rather than noise, so the classes are not all flat.
    input.forEach((_, i) => {
      const x = i % size;
      const y = Math.floor(i / size) % size;
      const c = Math.floor(i / (size * size)) % 3;
      input[i] = Math.sin((x + 3 * c) / 7) * Math.cos(y / 5 + Math.floor(i / (3 * size * size)));
    });
    const tflite = await run(importTflite(readFileSync(tflitePath), size).graph, input, size);
    const onnx = await run(fromOnnxBytes(readFileSync(onnxPath)), input, size);
    expect(tflite.features).toHaveLength(2 * 1280);
    expect(maxAbsDiff(tflite.features, onnx.features)).toBeLessThan(1e-4);
    expect(maxAbsDiff(tflite.probs, onnx.probs)).toBeLessThan(1e-5);
  });
});
