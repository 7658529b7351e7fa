import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { MOBILENET_V2_QUANT_TFLITE } from './known.js';
import { importTflite } from './tflite.js';
import { BuiltinOp, readTflite } from './tflite-reader.js';
import { sharedBackbone } from './testing.js';

const tflitePath = sharedBackbone(MOBILENET_V2_QUANT_TFLITE.file, 'TFLite MobileNetV2 tests') ?? '';
const maybe = tflitePath === '' ? it.skip : it;

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
});
