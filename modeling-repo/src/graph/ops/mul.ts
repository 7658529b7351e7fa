import { binaryRule } from '../kernels/elementwise.js';
import { dy0, sumToShape } from './grad-util.js';

export const mul = binaryRule('Mul', (a, b) => a * b, ({ b, x: [x0 = '', x1 = ''], dy, needs }) => {
  const g = dy0(dy, 'Mul');
  return [
    needs[0] === true ? sumToShape(b, b.op('Mul', [g, x1]), b.info(x0).shape) : null,
    needs[1] === true ? sumToShape(b, b.op('Mul', [g, x0]), b.info(x1).shape) : null,
  ];
});
