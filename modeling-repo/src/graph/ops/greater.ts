import { binaryRule } from '../kernels/elementwise.js';

export const greater = binaryRule('Greater', (a, b) => (a > b ? 1 : 0), null, { bool: true });
