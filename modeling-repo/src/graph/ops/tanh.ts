import { unaryRule } from '../kernels/elementwise.js';
import { dy0, scalarLike } from './grad-util.js';

export const tanh = unaryRule('Tanh', Math.tanh, ({ b, y: [y = ''], dy }) => {
  const oneMinus = b.op('Sub', [scalarLike(b, y, 1), b.op('Mul', [y, y])]);
  return [b.op('Mul', [dy0(dy, 'Tanh'), oneMinus])];
});
