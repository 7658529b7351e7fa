import { present } from '../kernels/elementwise.js';
import { broadcastDims, need } from '../shape.js';
import { broadcastIndex, broadcastShape, gatherElements, toNumbers } from '../tensor.js';
import { dy0, sumToShape } from './grad-util.js';
import type { OpRule } from './op-rule.js';

export const expand: OpRule = {
  op: 'Expand',
  infer: (inputs) => {
    const x = need(inputs, 0, 'Expand');
    const shape = inputs[1]?.value;
    if (shape === undefined) {
      throw new Error('Expand: the shape must be a known constant');
    }
    return [{ dtype: x.dtype, shape: broadcastDims(x.shape, toNumbers(shape), 'Expand') }];
  },
  evaluate: (inputs) => {
    const x = present(inputs, 0, 'Expand');
    const dims = broadcastShape(x.dims, toNumbers(present(inputs, 1, 'Expand')));
    return [gatherElements(x, dims, broadcastIndex(x.dims, dims))];
  },
  grad: ({ b, x: [x = ''], dy }) => [sumToShape(b, dy0(dy, 'Expand'), b.info(x).shape), null],
};
