import { binaryRule } from '../kernels/elementwise.js';
import { dy0, sumToShape } from './grad-util.js';

export const add = binaryRule('Add', (a, b) => a + b, ({ b, x: [x0 = '', x1 = ''], dy }) => {
  const g = dy0(dy, 'Add');
  return [sumToShape(b, g, b.info(x0).shape), sumToShape(b, g, b.info(x1).shape)];
});
