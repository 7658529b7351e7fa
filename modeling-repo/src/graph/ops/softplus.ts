import { unaryRule } from '../kernels/elementwise.js';
import { dy0 } from './grad-util.js';

/** log(1 + e^x), computed without overflow; d softplus = dy * sigmoid(x). */
export const softplus = unaryRule(
  'Softplus',
  (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  ({ b, x: [x = ''], dy }) => [b.op('Mul', [dy0(dy, 'Softplus'), b.op('Sigmoid', [x])])],
);
