import { binaryRule } from '../kernels/elementwise.js';
import { dy0, scalarLike, sumToShape } from './grad-util.js';

/** d(a^b): da = dy * b * a^(b-1); db = dy * y * log(a) (defined for a > 0). */
export const pow = binaryRule('Pow', (a, b) => a ** b, ({ b, x: [x0 = '', x1 = ''], y: [y = ''], dy, needs }) => {
  const g = dy0(dy, 'Pow');
  const bm1 = b.op('Sub', [x1, scalarLike(b, x1, 1)]);
  const da = needs[0] === true ? b.op('Mul', [g, b.op('Mul', [x1, b.op('Pow', [x0, bm1])])]) : null;
  const db = needs[1] === true ? b.op('Mul', [g, b.op('Mul', [y, b.op('Log', [x0])])]) : null;
  return [da === null ? null : sumToShape(b, da, b.info(x0).shape), db === null ? null : sumToShape(b, db, b.info(x1).shape)];
});
