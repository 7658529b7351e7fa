import { binaryRule } from '../kernels/elementwise.js';
import { dy0, sumToShape } from './grad-util.js';

/** d(a/b): da = dy / b, db = -dy * y / b (reusing the output y = a/b). */
export const div = binaryRule('Div', (a, b) => a / b, ({ b, x: [x0 = '', x1 = ''], y: [y = ''], dy, needs }) => {
  const g = dy0(dy, 'Div');
  const ga = b.op('Div', [g, x1]);
  return [
    needs[0] === true ? sumToShape(b, ga, b.info(x0).shape) : null,
    needs[1] === true ? b.op('Neg', [sumToShape(b, b.op('Mul', [ga, y]), b.info(x1).shape)]) : null,
  ];
});
