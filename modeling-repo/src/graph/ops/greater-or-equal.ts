import { binaryRule } from '../kernels/elementwise.js';

export const greaterOrEqual = binaryRule('GreaterOrEqual', (a, b) => (a >= b ? 1 : 0), null, { bool: true });
