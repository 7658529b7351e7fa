import { unaryRule } from '../kernels/elementwise.js';
import { dy0 } from './grad-util.js';

export const log = unaryRule('Log', Math.log, ({ b, x: [x = ''], dy }) => [b.op('Div', [dy0(dy, 'Log'), x])]);
