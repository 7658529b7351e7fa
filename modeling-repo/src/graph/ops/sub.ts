import { binaryRule } from '../kernels/elementwise.js';
import { dy0, sumToShape } from './grad-util.js';

export const sub = binaryRule('Sub', (a, b) => a - b, ({ b, x: [x0 = '', x1 = ''], dy, needs }) => {
  const g = dy0(dy, 'Sub');
  const gb = needs[1] === true ? b.op('Neg', [sumToShape(b, g, b.info(x1).shape)]) : null;
  return [sumToShape(b, g, b.info(x0).shape), gb];
});
