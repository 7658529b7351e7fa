import { binaryRule } from '../kernels/elementwise.js';

export const or = binaryRule('Or', (a, b) => (a !== 0 || b !== 0 ? 1 : 0), null, { bool: true });
