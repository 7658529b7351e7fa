import { unaryRule } from '../kernels/elementwise.js';
import { dy0 } from './grad-util.js';

export const abs = unaryRule('Abs', Math.abs, ({ b, x: [x = ''], dy }) => [b.op('Mul', [dy0(dy, 'Abs'), b.op('Sign', [x])])]);
