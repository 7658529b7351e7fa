import { describe, expect, it } from '@jest/globals';
import type { Tensor } from '../graph/ir.js';
import type { TfliteTensor } from './tflite-reader.js';
import { dequantize, samePads, toOnnxLayout, transpose } from './tflite-weights.js';

function values(t: Tensor): number[] {
  return Array.from(t.data as Float32Array);
}

function tensor(partial: Partial<TfliteTensor> & Pick<TfliteTensor, 'shape' | 'type' | 'data'>): TfliteTensor {
  return { index: 0, name: 'w', quantization: undefined, ...partial };
}

describe('samePads', () => {
  it('matches TensorFlow SAME: extra padding goes after', () => {
    // 224 / stride 2, 3x3: output 112, needs 1 pixel, all of it at the end.
    expect(samePads(224, 3, 2, 1)).toEqual([0, 1]);
    expect(samePads(64, 3, 2, 1)).toEqual([0, 1]);
    // Odd size: output 50 from 99 needs 2 pixels, one on each side.
    expect(samePads(99, 3, 2, 1)).toEqual([1, 1]);
    expect(samePads(7, 3, 1, 1)).toEqual([1, 1]);
    expect(samePads(8, 1, 1, 1)).toEqual([0, 0]);
    // Dilation 2 makes a 3x3 kernel span 5 pixels.
    expect(samePads(10, 3, 1, 2)).toEqual([2, 2]);
  });
});

describe('dequantize', () => {
  it('applies one scale and zero point per tensor', () => {
    const t = tensor({ shape: [3], type: 'uint8', data: Uint8Array.of(0, 128, 255), quantization: { scale: Float32Array.of(0.5), zeroPoint: BigInt64Array.of(128n), quantizedDimension: 0 } });
    expect(values(dequantize(t, 'm'))).toEqual([-64, 0, 63.5]);
  });

  it('applies per-axis scales along the quantized dimension', () => {
    // Shape [2, 3] quantized along axis 1: columns have scales 1, 2, 4.
    const t = tensor({
      shape: [2, 3], type: 'int8', data: new Uint8Array(Int8Array.of(1, 1, 1, -1, -2, 3).buffer),
      quantization: { scale: Float32Array.of(1, 2, 4), zeroPoint: BigInt64Array.of(0n, 0n, 0n), quantizedDimension: 1 },
    });
    expect(values(dequantize(t, 'm'))).toEqual([1, 2, 4, -1, -4, 12]);
  });

  it('reads int32 biases with their own scale and a zero point of 0', () => {
    const data = new Uint8Array(Int32Array.of(-1000, 2000).buffer);
    const t = tensor({ shape: [2], type: 'int32', data, quantization: { scale: Float32Array.of(0.001), zeroPoint: new BigInt64Array(0), quantizedDimension: 0 } });
    const got = values(dequantize(t, 'm'));
    expect(got[0]).toBeCloseTo(-1, 6);
    expect(got[1]).toBeCloseTo(2, 6);
  });

  it('names the tensor when it cannot be read', () => {
    expect(() => dequantize(tensor({ shape: [1], type: 'uint8', data: Uint8Array.of(1) }), 'model.tflite')).toThrow('model.tflite: tensor w is uint8 without quantization');
    expect(() => dequantize(tensor({ shape: [1], type: 'uint8', data: undefined }), 'm')).toThrow('constant tensor w has no data');
  });
});

describe('layouts', () => {
  it('transposes like numpy', () => {
    const t = { dtype: 'float32' as const, dims: [2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) };
    expect(values(transpose(t, [1, 0]))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('turns OHWI conv weights into OIHW and 1HWC depthwise weights into C1HW', () => {
    // OHWI [1, 1, 2, 2]: element (o=0, h=0, w=x, i=c) = 10 * x + c.
    const ohwi = { dtype: 'float32' as const, dims: [4], data: Float32Array.of(0, 1, 10, 11) };
    const oihw = toOnnxLayout(ohwi, [1, 1, 2, 2], false);
    expect(oihw.dims).toEqual([1, 2, 1, 2]);
    expect(values(oihw)).toEqual([0, 10, 1, 11]);
    const dw = toOnnxLayout(ohwi, [1, 1, 2, 2], true);
    expect(dw.dims).toEqual([2, 1, 1, 2]);
    expect(values(dw)).toEqual([0, 10, 1, 11]);
  });
});
