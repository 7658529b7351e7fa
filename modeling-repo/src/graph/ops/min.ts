import { binaryRule } from '../kernels/elementwise.js';
import { dy0, sumToShape, zeroLike } from './grad-util.js';

/** Two-input Min; at ties the gradient goes to the first input. */
export const min = binaryRule('Min', Math.min, ({ b, x: [x0 = '', x1 = ''], dy }) => {
  const g = dy0(dy, 'Min');
  const zero = zeroLike(b, g);
  const second = b.op('Greater', [x0, x1]);
  return [
    sumToShape(b, b.op('Where', [second, zero, g]), b.info(x0).shape),
    sumToShape(b, b.op('Where', [second, g, zero]), b.info(x1).shape),
  ];
});
