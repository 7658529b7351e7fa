import { binaryRule } from '../kernels/elementwise.js';
import { dy0, sumToShape, zeroLike } from './grad-util.js';

/** Two-input Max; at ties the gradient goes to the first input. */
export const max = binaryRule('Max', Math.max, ({ b, x: [x0 = '', x1 = ''], dy }) => {
  const g = dy0(dy, 'Max');
  const zero = zeroLike(b, g);
  const second = b.op('Less', [x0, x1]);
  return [
    sumToShape(b, b.op('Where', [second, zero, g]), b.info(x0).shape),
    sumToShape(b, b.op('Where', [second, g, zero]), b.info(x1).shape),
  ];
});
