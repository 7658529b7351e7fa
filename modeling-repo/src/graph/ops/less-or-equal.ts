import { binaryRule } from '../kernels/elementwise.js';

export const lessOrEqual = binaryRule('LessOrEqual', (a, b) => (a <= b ? 1 : 0), null, { bool: true });
