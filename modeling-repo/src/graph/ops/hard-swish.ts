import { unaryRule } from '../kernels/elementwise.js';
import { dy0, scalarLike } from './grad-util.js';

const EDGE = 3;
const SIX = 6;
const SIXTH = 1 / SIX;
const HALF = 0.5;

/** y = x * clamp(x/6 + 1/2, 0, 1); dy/dx = 0 below -3, 1 above 3, (2x + 3)/6 between. */
export const hardSwish = unaryRule(
  'HardSwish',
  (x) => x * Math.min(1, Math.max(0, x * SIXTH + HALF)),
  ({ b, x: [x = ''], dy }) => {
    const slope = b.op('Add', [b.op('Mul', [x, scalarLike(b, x, 2 * SIXTH)]), scalarLike(b, x, HALF)]);
    const upper = b.op('Where', [b.op('Greater', [x, scalarLike(b, x, EDGE)]), scalarLike(b, x, 1), slope]);
    const d = b.op('Where', [b.op('Less', [x, scalarLike(b, x, -EDGE)]), scalarLike(b, x, 0), upper]);
    return [b.op('Mul', [dy0(dy, 'HardSwish'), d])];
  },
);
