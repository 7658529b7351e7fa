import { unaryRule } from '../kernels/elementwise.js';
import { dy0 } from './grad-util.js';

/** d (1/x) = -dy * y^2. */
export const reciprocal = unaryRule('Reciprocal', (x) => 1 / x, ({ b, y: [y = ''], dy }) => {
  return [b.op('Neg', [b.op('Mul', [dy0(dy, 'Reciprocal'), b.op('Mul', [y, y])])])];
});
