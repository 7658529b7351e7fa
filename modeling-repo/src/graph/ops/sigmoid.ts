import { unaryRule } from '../kernels/elementwise.js';
import { dy0, scalarLike } from './grad-util.js';

/** d sigmoid = dy * y * (1 - y), from the output so the forward value is reused. */
export const sigmoid = unaryRule('Sigmoid', (x) => 1 / (1 + Math.exp(-x)), ({ b, y: [y = ''], dy }) => {
  const oneMinus = b.op('Sub', [scalarLike(b, y, 1), y]);
  return [b.op('Mul', [dy0(dy, 'Sigmoid'), b.op('Mul', [y, oneMinus])])];
});
