import { intAttr } from '../attrs.js';
import { present, unaryRule } from '../kernels/elementwise.js';
import { reduceAxes } from '../kernels/reduce.js';
import { broadcastIndex, makeTensor, normAxis, refDType, toFloat64 } from '../tensor.js';
import type { OpRule } from './op-rule.js';

const base = unaryRule('Softmax', (x) => x, null);

/** Softmax along one axis (opset 13). No gradient: training uses logits and a fused loss instead. */
export const softmax: OpRule = {
  ...base,
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Softmax');
    const axis = normAxis(intAttr(attrs, 'axis', -1), x.dims.length, 'Softmax');
    const data = toFloat64(x);
    const mx = reduceAxes(data, x.dims, [axis], Math.max, -Infinity);
    const mxIdx = broadcastIndex(mx.keptDims, x.dims);
    const e = data.map((v, i) => Math.exp(v - (mx.values[mxIdx[i] ?? 0] ?? 0)));
    const sum = reduceAxes(e, x.dims, [axis], (a, v) => a + v, 0);
    return [makeTensor(refDType(x.dtype), x.dims, e.map((v, i) => v / (sum.values[mxIdx[i] ?? 0] ?? 1)))];
  },
};
