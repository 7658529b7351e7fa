import { unaryRule } from '../kernels/elementwise.js';
import { dy0 } from './grad-util.js';

export const identity = unaryRule('Identity', (x) => x, ({ dy }) => [dy0(dy, 'Identity')]);
