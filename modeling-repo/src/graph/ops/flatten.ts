import { intAttr } from '../attrs.js';
import type { Dim } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { need, productOf } from '../shape.js';
import { normAxis } from '../tensor.js';
import { dy0, reshapeTo } from './grad-util.js';
import type { OpRule } from './op-rule.js';

function flatShape(shape: readonly Dim[], axisAttr: number): Dim[] {
  const axis = axisAttr === shape.length ? axisAttr : normAxis(axisAttr, shape.length, 'Flatten');
  return [productOf(shape.slice(0, axis)), productOf(shape.slice(axis))];
}

export const flatten: OpRule = {
  op: 'Flatten',
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'Flatten');
    return [{ dtype: x.dtype, shape: flatShape(x.shape, intAttr(attrs, 'axis', 1)) }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Flatten');
    return [{ dtype: x.dtype, dims: flatShape(x.dims, intAttr(attrs, 'axis', 1)).map(Number), data: x.data }];
  },
  grad: ({ b, x: [x = ''], dy }) => [reshapeTo(b, dy0(dy, 'Flatten'), b.info(x).shape)],
};
