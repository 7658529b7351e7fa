import { unaryRule } from '../kernels/elementwise.js';

export const not = unaryRule('Not', (x) => (x === 0 ? 1 : 0), null);
