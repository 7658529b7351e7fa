import { intAttr } from '../attrs.js';
import { present } from '../kernels/elementwise.js';
import { isStatic, need } from '../shape.js';
import { int64Tensor } from '../tensor.js';
import type { OpRule } from './op-rule.js';

function range(rank: number, attrs: Parameters<OpRule['infer']>[1]): [number, number] {
  const clampAxis = (a: number): number => Math.min(rank, Math.max(0, a < 0 ? a + rank : a));
  return [clampAxis(intAttr(attrs, 'start', 0)), clampAxis(intAttr(attrs, 'end', rank))];
}

/** Shape of a value; with static shapes its value is known, so it folds away at build time. */
export const shapeOp: OpRule = {
  op: 'Shape',
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'Shape');
    const [s, e] = range(x.shape.length, attrs);
    const dims = x.shape.slice(s, e);
    const value = isStatic(dims) ? int64Tensor([dims.length], dims) : undefined;
    return [value === undefined ? { dtype: 'int64', shape: [dims.length] } : { dtype: 'int64', shape: [dims.length], value }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Shape');
    const [s, e] = range(x.dims.length, attrs);
    const dims = x.dims.slice(s, e);
    return [int64Tensor([dims.length], dims)];
  },
  grad: null,
};
