import { present } from '../kernels/elementwise.js';
import { reduceAxes } from '../kernels/reduce.js';
import { need, staticShape } from '../shape.js';
import { makeTensor, refDType, toFloat64 } from '../tensor.js';
import { dy0 } from './grad-util.js';
import type { OpRule } from './op-rule.js';

export const globalAveragePool: OpRule = {
  op: 'GlobalAveragePool',
  infer: (inputs) => {
    const x = need(inputs, 0, 'GlobalAveragePool');
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (i < 2 ? d : 1)) }];
  },
  evaluate: (inputs) => {
    const x = present(inputs, 0, 'GlobalAveragePool');
    const axes = x.dims.map((_, i) => i).filter((i) => i >= 2);
    const r = reduceAxes(toFloat64(x), x.dims, axes, (a, v) => a + v, 0);
    return [makeTensor(refDType(x.dtype), r.keptDims, r.values.map((v) => v / r.counts))];
  },
  /** dx = expand(dy) / (H*W): one Expand and one Mul by a constant. */
  grad: ({ b, x: [x = ''], dy }) => {
    const shape = staticShape(b.info(x).shape, 'GlobalAveragePool gradient');
    const area = shape.slice(2).reduce((s, d) => s * d, 1);
    const scaled = b.op('Mul', [dy0(dy, 'GlobalAveragePool'), b.scalar(1 / area, b.info(x).dtype)]);
    return [b.op('Expand', [scaled, b.int64s(shape)])];
  },
};
