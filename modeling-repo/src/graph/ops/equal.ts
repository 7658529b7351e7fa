import { binaryRule } from '../kernels/elementwise.js';

export const equal = binaryRule('Equal', (a, b) => (a === b ? 1 : 0), null, { bool: true });
