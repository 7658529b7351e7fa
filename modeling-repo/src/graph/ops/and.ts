import { binaryRule } from '../kernels/elementwise.js';

export const and = binaryRule('And', (a, b) => (a !== 0 && b !== 0 ? 1 : 0), null, { bool: true });
