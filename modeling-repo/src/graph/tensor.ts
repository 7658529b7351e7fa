/**
 * Small helpers over the IR's `Tensor`: reading values as plain numbers, making tensors of a
 * given dtype, strides, and broadcasting index maps. The float64 reference kernels build on these.
 */
import type { DType, Tensor, TensorData } from './ir.js';
import { numel } from './ir.js';

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** Row-major strides of a shape. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) {
    strides[i] = (strides[i + 1] ?? 1) * (dims[i + 1] ?? 1);
  }
  return strides;
}

/** Any tensor's values as float64 (int64 values are exact up to 2^53, which shapes never reach). */
export function toFloat64(t: Tensor): Float64Array {
  if (t.data instanceof Float64Array) {
    return t.data;
  }
  if (t.data instanceof BigInt64Array) {
    return Float64Array.from(t.data, (v) => Number(v));
  }
  return Float64Array.from(t.data);
}

/** A tensor's values as a plain number array (for shapes, axes, pads and other small int inputs). */
export function toNumbers(t: Tensor): number[] {
  return Array.from(toFloat64(t));
}

function dataFor(dtype: DType, values: ArrayLike<number>): TensorData {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(Array.from(values, (v) => BigInt(Math.trunc(v))));
    case 'int32':
      return Int32Array.from(values);
    case 'uint8':
      return Uint8Array.from(values);
    case 'bool':
      return Uint8Array.from(values, (v) => (v === 0 ? 0 : 1));
  }
}

/** Makes a tensor of `dtype` from numbers, converting them (ints truncate, bools are `v != 0`). */
export function makeTensor(dtype: DType, dims: readonly number[], values: ArrayLike<number>): Tensor {
  if (values.length !== numel(dims)) {
    throw new Error(`tensor of shape [${dims.join(',')}] needs ${numel(dims)} values, got ${values.length}`);
  }
  return { dtype, dims: [...dims], data: dataFor(dtype, values) };
}

/** The reference kernels compute floats in float64: this is the dtype their float outputs carry. */
export function refDType(dtype: DType): DType {
  return isFloat(dtype) ? 'float64' : dtype;
}

export function int64Tensor(dims: readonly number[], values: readonly number[]): Tensor {
  return makeTensor('int64', dims, values);
}

/** Copies `src` elements picked by `index` into a new tensor of the same dtype (data movement ops). */
export function gatherElements(src: Tensor, dims: readonly number[], index: ArrayLike<number>): Tensor {
  const n = index.length;
  const pick = <T extends TensorData>(out: T, from: T): T => {
    for (let i = 0; i < n; i++) {
      out[i] = from[index[i] ?? 0] ?? out[i] ?? 0;
    }
    return out;
  };
  return { dtype: src.dtype, dims: [...dims], data: pickTyped(src.data, n, pick) };
}

type Picker = <T extends TensorData>(out: T, from: T) => T;

function pickTyped(data: TensorData, n: number, pick: Picker): TensorData {
  if (data instanceof Float32Array) {
    return pick(new Float32Array(n), data);
  }
  if (data instanceof Float64Array) {
    return pick(new Float64Array(n), data);
  }
  if (data instanceof BigInt64Array) {
    const out = new BigInt64Array(n);
    return pick(out, data);
  }
  if (data instanceof Int32Array) {
    return pick(new Int32Array(n), data);
  }
  return pick(new Uint8Array(n), data);
}

/**
 * For each element of an output of shape `outDims`, the flat index of the input element of shape
 * `inDims` that numpy broadcasting reads (the input is right-aligned; size-1 dims repeat).
 */
export function broadcastIndex(inDims: readonly number[], outDims: readonly number[]): Int32Array {
  const total = numel(outDims);
  const index = new Int32Array(total);
  const offset = outDims.length - inDims.length;
  const inStrides = stridesOf(inDims);
  const outStrides = stridesOf(outDims);
  for (let i = 0; i < total; i++) {
    let src = 0;
    for (let d = 0; d < inDims.length; d++) {
      const size = inDims[d] ?? 1;
      if (size !== 1) {
        const coord = Math.floor(i / (outStrides[d + offset] ?? 1)) % (outDims[d + offset] ?? 1);
        src += coord * (inStrides[d] ?? 0);
      }
    }
    index[i] = src;
  }
  return index;
}

/** Numpy broadcast of concrete shapes; throws naming both shapes when they do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new Error(`shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    }
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Normalizes a possibly negative axis against a rank, naming the op when it is out of range. */
export function normAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    throw new Error(`${op}: axis ${axis} out of range for rank ${rank}`);
  }
  return a;
}
