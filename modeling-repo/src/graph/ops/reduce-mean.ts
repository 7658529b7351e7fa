import { reduceRule } from './reduce-common.js';

/** ReduceMean with axes as an attribute (opset 13-17); an axes input is accepted too. */
export const reduceMean = reduceRule('ReduceMean', true);
