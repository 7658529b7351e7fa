import type { Tensor } from '../graph/index.js';
import type { TfliteTensor } from './tflite-reader.js';

/** Pure helpers for turning TFLite constants into float ONNX initializers. */

export interface Pads { readonly top: number; readonly left: number; readonly bottom: number; readonly right: number }

const INT32_BYTES = 4;
const FLOAT32_BYTES = 4;

function rawValues(tensor: TfliteTensor, what: string): Float64Array {
  const data = tensor.data;
  if (data === undefined) {
    throw new Error(`${what}: constant tensor ${tensor.name} has no data`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (tensor.type) {
    case 'uint8': return Float64Array.from(data);
    case 'int8': return Float64Array.from(new Int8Array(data.buffer, data.byteOffset, data.byteLength));
    case 'int32': return Float64Array.from({ length: data.byteLength / INT32_BYTES }, (_, i) => view.getInt32(i * INT32_BYTES, true));
    case 'float32': return Float64Array.from({ length: data.byteLength / FLOAT32_BYTES }, (_, i) => view.getFloat32(i * FLOAT32_BYTES, true));
    default:
      throw new Error(`${what}: constant tensor ${tensor.name} has type ${tensor.type}; the importer reads uint8, int8, int32 and float32`);
  }
}

/**
 * real = scale * (q - zero_point), with one scale per slice along `quantizedDimension` when the
 * tensor is quantized per axis. Float tensors pass through. Arithmetic is float64, rounded once.
 */
export function dequantize(tensor: TfliteTensor, what: string): Tensor {
  const q = rawValues(tensor, what);
  const dims = tensor.shape.length === 0 ? [q.length] : [...tensor.shape];
  const quant = tensor.quantization;
  if (tensor.type === 'float32') {
    return { dtype: 'float32', dims, data: Float32Array.from(q) };
  }
  if (quant === undefined) {
    throw new Error(`${what}: tensor ${tensor.name} is ${tensor.type} without quantization parameters`);
  }
  const channels = quant.scale.length;
  const axis = quant.quantizedDimension;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  if (channels > 1 && dims[axis] !== channels) {
    throw new Error(`${what}: tensor ${tensor.name} has ${channels} scales but dimension ${axis} is ${dims[axis]}`);
  }
  // A missing zero point means 0 (symmetric quantization, e.g. int32 biases).
  const zeros = Array.from(quant.scale, (_, c) => Number(quant.zeroPoint[c] ?? quant.zeroPoint[0] ?? BigInt(0)));
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i += 1) {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    out[i] = (quant.scale[c] ?? 0) * ((q[i] ?? 0) - (zeros[c] ?? 0));
  }
  return { dtype: 'float32', dims, data: out };
}

/** Transpose of a dense 4-d float tensor: output dim i is input dim perm[i]. */
export function transpose(t: Tensor, perm: readonly number[]): Tensor {
  const dims = [1, 1, 1, 1].map((one, i) => t.dims[i - 4 + t.dims.length] ?? one);
  if (t.dims.length > dims.length || perm.length !== t.dims.length) {
    throw new Error(`transpose: a rank-${t.dims.length} tensor with perm [${perm.join(',')}] is not supported (rank <= 4)`);
  }
  // Work in rank 4 by padding leading 1s; perm shifts by the padding.
  const pad = dims.length - perm.length;
  const fullPerm = [...Array.from({ length: pad }, (_, i) => i), ...perm.map((p) => p + pad)];
  const inStrides = strides(dims);
  const outDims = fullPerm.map((p) => dims[p] ?? 1);
  const [s0, s1, s2, s3] = fullPerm.map((p) => inStrides[p] ?? 0) as [number, number, number, number];
  const [d0, d1, d2, d3] = outDims as [number, number, number, number];
  const src = t.data as Float32Array;
  const dst = new Float32Array(src.length);
  // One pass over the output's rows (its first three dims), copying each row of the last dim.
  for (let row = 0; row < d0 * d1 * d2; row += 1) {
    const c = row % d2;
    const b = Math.floor(row / d2) % d1;
    const a = Math.floor(row / (d1 * d2));
    const base = a * s0 + b * s1 + c * s2;
    for (let d = 0; d < d3; d += 1) {
      dst[row * d3 + d] = src[base + d * s3] ?? 0;
    }
  }
  return { dtype: 'float32', dims: outDims.slice(pad), data: dst };
}

function strides(dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i -= 1) {
    out[i] = (out[i + 1] ?? 1) * (dims[i + 1] ?? 1);
  }
  return out;
}

/**
 * TFLite conv weights are [O, H, W, I] and depthwise weights [1, H, W, C*M]; ONNX Conv wants
 * [O, I/group, H, W], i.e. [C*M, 1, H, W] for depthwise.
 */
export function toOnnxLayout(weights: Tensor, tfliteShape: readonly number[], depthwise: boolean): Tensor {
  const shaped: Tensor = { ...weights, dims: [...tfliteShape] };
  return depthwise ? transpose(shaped, [3, 0, 1, 2]) : transpose(shaped, [0, 3, 1, 2]);
}

/**
 * TensorFlow "SAME": the output has ceil(n / stride) positions, and the padding needed for
 * that is split with the extra pixel at the end (bottom/right).
 */
export function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const effective = dilation * (kernel - 1) + 1;
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
