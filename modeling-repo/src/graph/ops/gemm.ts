import { floatAttr, intAttr } from '../attrs.js';
import type { Attrs, Dim, Tensor } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { broadcastDims, need } from '../shape.js';
import { broadcastIndex, makeTensor, refDType, toFloat64 } from '../tensor.js';
import { dy0, sumToShape } from './grad-util.js';
import type { OpRule } from './op-rule.js';

interface GemmAttrs {
  alpha: number;
  beta: number;
  transA: number;
  transB: number;
}

function gemmAttrs(attrs: Attrs): GemmAttrs {
  return {
    alpha: floatAttr(attrs, 'alpha', 1),
    beta: floatAttr(attrs, 'beta', 1),
    transA: intAttr(attrs, 'transA', 0),
    transB: intAttr(attrs, 'transB', 0),
  };
}

function gemmAttr(transA: number, transB: number, alpha: number): Attrs {
  return {
    transA: { kind: 'int', value: transA },
    transB: { kind: 'int', value: transB },
    alpha: { kind: 'float', value: alpha },
  };
}

function dims2(t: Tensor): [number, number] {
  return [t.dims[0] ?? 1, t.dims[1] ?? 1];
}

/** op(A) x op(B) for 2-d A and B, where op transposes when asked; returns [m, n, values]. */
function matProduct(a: Tensor, b: Tensor, ta: boolean, tb: boolean): [number, number, Float64Array] {
  const [ar, ac] = dims2(a);
  const [br, bc] = dims2(b);
  const [m, k] = ta ? [ac, ar] : [ar, ac];
  const n = tb ? br : bc;
  const av = toFloat64(a);
  const bv = toFloat64(b);
  const out = new Float64Array(m * n);
  const aAt = ta ? (i: number, p: number): number => p * ac + i : (i: number, p: number): number => i * ac + p;
  const bAt = tb ? (p: number, j: number): number => j * bc + p : (p: number, j: number): number => p * bc + j;
  for (let ij = 0; ij < m * n; ij++) {
    const i = Math.floor(ij / n);
    const j = ij % n;
    let s = 0;
    for (let p = 0; p < k; p++) {
      s += (av[aAt(i, p)] ?? 0) * (bv[bAt(p, j)] ?? 0);
    }
    out[ij] = s;
  }
  return [m, n, out];
}

function checkShapes(a: readonly Dim[], b: readonly Dim[], k1: Dim, k2: Dim): void {
  const mismatch = typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2;
  if (a.length !== 2 || b.length !== 2 || mismatch) {
    throw new Error(`A [${a.join(',')}] and B [${b.join(',')}] do not multiply`);
  }
}

export const gemm: OpRule = {
  op: 'Gemm',
  infer: (inputs, attrs) => {
    const a = need(inputs, 0, 'Gemm');
    const b = need(inputs, 1, 'Gemm');
    const { transA, transB } = gemmAttrs(attrs);
    const [m = 1, k1 = 1] = transA === 1 ? [a.shape[1], a.shape[0]] : a.shape;
    const [k2 = 1, n = 1] = transB === 1 ? [b.shape[1], b.shape[0]] : b.shape;
    checkShapes(a.shape, b.shape, k1, k2);
    const c = inputs[2];
    if (c !== undefined) {
      broadcastDims([m, n], c.shape, 'Gemm');
    }
    return [{ dtype: a.dtype, shape: [m, n] }];
  },
  evaluate: (inputs, attrs) => {
    const a = present(inputs, 0, 'Gemm');
    const { alpha, beta, transA, transB } = gemmAttrs(attrs);
    const [m, n, product] = matProduct(a, present(inputs, 1, 'Gemm'), transA === 1, transB === 1);
    const c = inputs[2];
    const cv = c === undefined ? new Float64Array(1) : toFloat64(c);
    const cIdx = broadcastIndex(c === undefined ? [] : c.dims, [m, n]);
    const out = product.map((v, i) => alpha * v + beta * (cv[cIdx[i] ?? 0] ?? 0));
    return [makeTensor(refDType(a.dtype), [m, n], out)];
  },
  /** Each gradient is one Gemm with the transposes folded into transA/transB. */
  grad: ({ b, node, x: [a = '', w = '', c = ''], dy, needs }) => {
    const g = dy0(dy, 'Gemm');
    const { alpha, beta, transA, transB } = gemmAttrs(node.attrs);
    const da = transA === 0 ? b.op('Gemm', [g, w], gemmAttr(0, 1 - transB, alpha)) : b.op('Gemm', [w, g], gemmAttr(transB, 1, alpha));
    const dw = transB === 0 ? b.op('Gemm', [a, g], gemmAttr(1 - transA, 0, alpha)) : b.op('Gemm', [g, a], gemmAttr(1, transA, alpha));
    let dc: string | null = null;
    if (c !== '' && needs[2] === true) {
      const scaled = beta === 1 ? g : b.op('Mul', [g, b.scalar(beta, b.info(g).dtype)]);
      dc = sumToShape(b, scaled, b.info(c).shape);
    }
    return [needs[0] === true ? da : null, needs[1] === true ? dw : null, dc];
  },
};
