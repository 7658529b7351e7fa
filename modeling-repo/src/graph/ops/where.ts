import { broadcastMap, present } from '../kernels/elementwise.js';
import { broadcastDims, need } from '../shape.js';
import { makeTensor, refDType } from '../tensor.js';
import { dy0, sumToShape, zeroLike } from './grad-util.js';
import type { OpRule } from './op-rule.js';

export const where: OpRule = {
  op: 'Where',
  infer: (inputs) => {
    const [c, x, y] = [0, 1, 2].map((i) => need(inputs, i, 'Where'));
    if (c === undefined || x === undefined || y === undefined) {
      throw new Error('Where: needs three inputs');
    }
    const shape = broadcastDims(broadcastDims(c.shape, x.shape, 'Where'), y.shape, 'Where');
    return [{ dtype: x.dtype, shape }];
  },
  evaluate: (inputs) => {
    const [c, x, y] = [0, 1, 2].map((i) => present(inputs, i, 'Where'));
    if (c === undefined || x === undefined || y === undefined) {
      throw new Error('Where: needs three inputs');
    }
    const { dims, values } = broadcastMap([c, x, y], ([k = 0, a = 0, v = 0]) => (k !== 0 ? a : v));
    return [makeTensor(refDType(x.dtype), dims, values)];
  },
  grad: ({ b, x: [c = '', x = '', y = ''], dy }) => {
    const g = dy0(dy, 'Where');
    const zero = zeroLike(b, g);
    return [
      null,
      sumToShape(b, b.op('Where', [c, g, zero]), b.info(x).shape),
      sumToShape(b, b.op('Where', [c, zero, g]), b.info(y).shape),
    ];
  },
};
