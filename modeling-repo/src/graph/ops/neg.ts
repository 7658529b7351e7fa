import { unaryRule } from '../kernels/elementwise.js';
import { dy0 } from './grad-util.js';

export const neg = unaryRule('Neg', (x) => -x, ({ b, dy }) => [b.op('Neg', [dy0(dy, 'Neg')])]);
