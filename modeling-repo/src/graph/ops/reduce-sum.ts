import { reduceRule } from './reduce-common.js';

/** ReduceSum with axes as an optional input (opset 13); an `axes` attribute is accepted too. */
export const reduceSum = reduceRule('ReduceSum', false);
