import { unaryRule } from '../kernels/elementwise.js';
import { dy0 } from './grad-util.js';

export const exp = unaryRule('Exp', Math.exp, ({ b, y: [y = ''], dy }) => [b.op('Mul', [dy0(dy, 'Exp'), y])]);
