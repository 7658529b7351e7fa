import { unaryRule } from '../kernels/elementwise.js';

/** Piecewise constant: no gradient. */
export const sign = unaryRule('Sign', Math.sign, null);
