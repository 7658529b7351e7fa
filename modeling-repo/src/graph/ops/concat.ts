import { intAttr } from '../attrs.js';
import type { Dim, Tensor } from '../ir.js';
import { numel } from '../ir.js';
import { stridedIndex } from '../kernels/movement.js';
import { need, showShape, UNKNOWN_DIM } from '../shape.js';
import { gatherElements, normAxis, stridesOf } from '../tensor.js';
import { dy0 } from './grad-util.js';
import type { OpRule } from './op-rule.js';

function concatData(parts: readonly Tensor[], axis: number): Tensor {
  const first = parts[0];
  if (first === undefined) {
    throw new Error('Concat: needs at least one input');
  }
  const dims = [...first.dims];
  dims[axis] = parts.reduce((s, t) => s + (t.dims[axis] ?? 0), 0);
  // Concatenate by gathering from a virtual tensor laid out part after part.
  const flat: Tensor = { ...first, data: joinData(parts) };
  const index = new Int32Array(numel(dims));
  const outStrides = stridesOf(dims);
  let base = 0;
  let offset = 0;
  for (const t of parts) {
    const sub = stridedIndex(t.dims, t.dims, t.dims.map(() => 0), t.dims.map(() => 1));
    const subStrides = stridesOf(t.dims);
    sub.forEach((src, i) => {
      let dst = 0;
      t.dims.forEach((_, d) => {
        const c = Math.floor(i / (subStrides[d] ?? 1)) % (t.dims[d] ?? 1);
        dst += (d === axis ? c + offset : c) * (outStrides[d] ?? 0);
      });
      index[dst] = base + src;
    });
    base += numel(t.dims);
    offset += t.dims[axis] ?? 0;
  }
  return gatherElements(flat, dims, index);
}

function joinData(parts: readonly Tensor[]): Tensor['data'] {
  const first = parts[0]?.data;
  if (first instanceof BigInt64Array) {
    return BigInt64Array.from(parts.flatMap((t) => Array.from(t.data as BigInt64Array)));
  }
  const values = parts.flatMap((t) => Array.from(t.data as ArrayLike<number>));
  if (first instanceof Float32Array) {
    return Float32Array.from(values);
  }
  if (first instanceof Int32Array) {
    return Int32Array.from(values);
  }
  return first instanceof Uint8Array ? Uint8Array.from(values) : Float64Array.from(values);
}

export const concat: OpRule = {
  op: 'Concat',
  infer: (inputs, attrs) => {
    const parts = inputs.map((_, i) => need(inputs, i, 'Concat'));
    const first = need(parts, 0, 'Concat');
    const axis = normAxis(intAttr(attrs, 'axis'), first.shape.length, 'Concat');
    const shape: Dim[] = [...first.shape];
    let total: Dim = 0;
    for (const p of parts) {
      if (p.shape.length !== shape.length || p.dtype !== first.dtype) {
        throw new Error(`inputs ${showShape(first.shape)} ${first.dtype} and ${showShape(p.shape)} ${p.dtype} differ`);
      }
      const d = p.shape[axis] ?? 0;
      total = typeof total === 'number' && typeof d === 'number' ? total + d : UNKNOWN_DIM;
    }
    shape[axis] = total;
    return [{ dtype: first.dtype, shape }];
  },
  evaluate: (inputs, attrs) => {
    const parts = inputs.filter((t): t is Tensor => t !== undefined);
    const first = parts[0];
    if (first === undefined) {
      throw new Error('Concat: needs at least one input');
    }
    return [concatData(parts, normAxis(intAttr(attrs, 'axis'), first.dims.length, 'Concat'))];
  },
  /** One Split of dy along the axis hands each input its part. */
  grad: ({ b, node, x, dy }) => {
    const first = b.info(x[0] ?? '');
    const axis = normAxis(intAttr(node.attrs, 'axis'), first.shape.length, 'Concat');
    const sizes = x.map((name) => b.info(name).shape[axis]);
    if (!sizes.every((s): s is number => typeof s === 'number')) {
      throw new Error('Concat gradient needs static sizes along the axis');
    }
    const axisAttr = { axis: { kind: 'int', value: axis } } as const;
    return b.node('Split', [dy0(dy, 'Concat'), b.int64s(sizes)], axisAttr, sizes.length);
  },
};
