/**
 * ONNX Runtime's FusedMatMul (domain com.microsoft): alpha * op(A) @ op(B), where op transposes the
 * last two axes when transA / transB is set; batch axes broadcast as in MatMul. The graphs use it
 * after differentiation only (see `../transpose-by-matmul.ts`), so it has no gradient rule.
 */
import { floatAttr, intAttr } from '../attrs.js';
import type { Dim, Tensor } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { need, showShape } from '../shape.js';
import { makeTensor, refDType, toFloat64 } from '../tensor.js';
import { evalMatMul, matmul } from './matmul.js';
import type { OpRule } from './op-rule.js';

export const MICROSOFT_DOMAIN = 'com.microsoft';

function swapShape(shape: readonly Dim[], swap: boolean): Dim[] {
  if (shape.length < 2) {
    throw new Error(`FusedMatMul: operands of rank < 2 are not supported (${showShape(shape)})`);
  }
  if (!swap) return [...shape];
  const out = [...shape];
  const last = out.length - 1;
  [out[last - 1], out[last]] = [out[last] ?? 1, out[last - 1] ?? 1];
  return out;
}

/** The tensor with its last two axes swapped (float64). */
function swapTensor(t: Tensor): Tensor {
  const dims = t.dims;
  const rows = dims[dims.length - 2] ?? 1;
  const cols = dims[dims.length - 1] ?? 1;
  const v = toFloat64(t);
  const out = new Float64Array(v.length);
  for (let s = 0; s < v.length; s++) {
    const base = s - (s % (rows * cols));
    const r = Math.floor((s % (rows * cols)) / cols);
    const c = s % cols;
    out[base + c * rows + r] = v[s] ?? 0;
  }
  return makeTensor(refDType(t.dtype), swapShape(dims, true) as number[], out);
}

export const fusedMatMul: OpRule = {
  op: 'FusedMatMul',
  domain: MICROSOFT_DOMAIN,
  infer: (inputs, attrs) => {
    const a = need(inputs, 0, 'FusedMatMul');
    const b = need(inputs, 1, 'FusedMatMul');
    const as = { ...a, shape: swapShape(a.shape, intAttr(attrs, 'transA', 0) === 1) };
    const bs = { ...b, shape: swapShape(b.shape, intAttr(attrs, 'transB', 0) === 1) };
    return matmul.infer([as, bs], {});
  },
  evaluate: (inputs, attrs) => {
    const a = present(inputs, 0, 'FusedMatMul');
    const b = present(inputs, 1, 'FusedMatMul');
    const product = evalMatMul(intAttr(attrs, 'transA', 0) === 1 ? swapTensor(a) : a, intAttr(attrs, 'transB', 0) === 1 ? swapTensor(b) : b);
    const alpha = floatAttr(attrs, 'alpha', 1);
    return [makeTensor(product.dtype, product.dims, toFloat64(product).map((x) => x * alpha))];
  },
  grad: null,
};
