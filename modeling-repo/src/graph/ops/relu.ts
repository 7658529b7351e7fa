import { unaryRule } from '../kernels/elementwise.js';
import { dy0, zeroLike } from './grad-util.js';

/** d relu = dy where x > 0 (0 at x = 0, as frameworks do). */
export const relu = unaryRule('Relu', (x) => Math.max(0, x), ({ b, x: [x = ''], dy }) => {
  const zero = zeroLike(b, x);
  return [b.op('Where', [b.op('Greater', [x, zero]), dy0(dy, 'Relu'), zero])];
});
