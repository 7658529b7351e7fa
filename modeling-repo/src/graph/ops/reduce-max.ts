import { intAttr } from '../attrs.js';
import { present } from '../kernels/elementwise.js';
import { reduceAxes } from '../kernels/reduce.js';
import { need } from '../shape.js';
import { makeTensor, normAxis, refDType, toFloat64 } from '../tensor.js';
import type { OpRule } from './op-rule.js';

function axesOf(attrs: Parameters<OpRule['infer']>[1], rank: number): number[] {
  const a = attrs.axes;
  return a?.kind === 'ints' ? a.value.map((v) => normAxis(v, rank, 'ReduceMax')) : Array.from({ length: rank }, (_, i) => i);
}

/** ReduceMax with attribute axes (opset 13-17). No gradient: used for numerically stable losses. */
export const reduceMax: OpRule = {
  op: 'ReduceMax',
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'ReduceMax');
    const axes = axesOf(attrs, x.shape.length);
    const keep = intAttr(attrs, 'keepdims', 1) === 1;
    const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    return [{ dtype: x.dtype, shape }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'ReduceMax');
    const r = reduceAxes(toFloat64(x), x.dims, axesOf(attrs, x.dims.length), Math.max, -Infinity);
    return [makeTensor(refDType(x.dtype), intAttr(attrs, 'keepdims', 1) === 1 ? r.keptDims : r.dims, r.values)];
  },
  grad: null,
};
