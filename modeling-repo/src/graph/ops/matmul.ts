import type { Dim, Tensor } from '../ir.js';
import { numel } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { broadcastDims, need, showShape } from '../shape.js';
import { broadcastIndex, broadcastShape, makeTensor, refDType, toFloat64 } from '../tensor.js';
import { dy0, sumToShape } from './grad-util.js';
import type { OpRule } from './op-rule.js';

/** The trailing two axes are the matrix; the others are batch axes. */
const MATRIX_DIMS = -2;

function matShapes(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  if (a.length < 2 || b.length < 2) {
    throw new Error(`MatMul: operands of rank < 2 are not supported (${showShape(a)} x ${showShape(b)})`);
  }
  const k1 = a[a.length - 1];
  const k2 = b[b.length + MATRIX_DIMS];
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    throw new Error(`MatMul: ${showShape(a)} x ${showShape(b)} do not multiply`);
  }
  const batch = broadcastDims(a.slice(0, MATRIX_DIMS), b.slice(0, MATRIX_DIMS), 'MatMul');
  return [...batch, a[a.length + MATRIX_DIMS] ?? 1, b[b.length - 1] ?? 1];
}

export function evalMatMul(a: Tensor, b: Tensor): Tensor {
  const m = a.dims[a.dims.length + MATRIX_DIMS] ?? 1;
  const k = a.dims[a.dims.length - 1] ?? 1;
  const n = b.dims[b.dims.length - 1] ?? 1;
  const batch = broadcastShape(a.dims.slice(0, MATRIX_DIMS), b.dims.slice(0, MATRIX_DIMS));
  const aIdx = broadcastIndex(a.dims.slice(0, MATRIX_DIMS), batch);
  const bIdx = broadcastIndex(b.dims.slice(0, MATRIX_DIMS), batch);
  const av = toFloat64(a);
  const bv = toFloat64(b);
  const out = new Float64Array(numel(batch) * m * n);
  for (let t = 0; t < numel(batch); t++) {
    const ao = (aIdx[t] ?? 0) * m * k;
    const bo = (bIdx[t] ?? 0) * k * n;
    for (let ij = 0; ij < m * n; ij++) {
      const i = Math.floor(ij / n);
      const j = ij % n;
      let s = 0;
      for (let p = 0; p < k; p++) {
        s += (av[ao + i * k + p] ?? 0) * (bv[bo + p * n + j] ?? 0);
      }
      out[t * m * n + ij] = s;
    }
  }
  return makeTensor(refDType(a.dtype), [...batch, m, n], out);
}

function swapLast(rank: number): { perm: { kind: 'ints'; value: number[] } } {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return { perm: { kind: 'ints', value: perm } };
}

/** MatMul of rank >= 2 operands with broadcast batch dimensions. */
export const matmul: OpRule = {
  op: 'MatMul',
  infer: (inputs) => {
    const a = need(inputs, 0, 'MatMul');
    return [{ dtype: a.dtype, shape: matShapes(a.shape, need(inputs, 1, 'MatMul').shape) }];
  },
  evaluate: (inputs) => [evalMatMul(present(inputs, 0, 'MatMul'), present(inputs, 1, 'MatMul'))],
  grad: ({ b, x: [a = '', w = ''], dy, needs }) => {
    const g = dy0(dy, 'MatMul');
    const ra = b.info(a).shape.length;
    const rw = b.info(w).shape.length;
    const da = needs[0] === true ? sumToShape(b, b.op('MatMul', [g, b.op('Transpose', [w], swapLast(rw))]), b.info(a).shape) : null;
    const dw = needs[1] === true ? sumToShape(b, b.op('MatMul', [b.op('Transpose', [a], swapLast(ra)), g]), b.info(w).shape) : null;
    return [da, dw];
  },
};
