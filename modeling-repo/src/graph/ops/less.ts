import { binaryRule } from '../kernels/elementwise.js';

export const less = binaryRule('Less', (a, b) => (a < b ? 1 : 0), null, { bool: true });
