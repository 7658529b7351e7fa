import { unaryRule } from '../kernels/elementwise.js';
import { dy0, scalarLike } from './grad-util.js';

const HALF = 0.5;

/** d sqrt = dy * 0.5 / y. */
export const sqrt = unaryRule('Sqrt', Math.sqrt, ({ b, y: [y = ''], dy }) => {
  const half = b.op('Mul', [dy0(dy, 'Sqrt'), scalarLike(b, y, HALF)]);
  return [b.op('Div', [half, y])];
});
