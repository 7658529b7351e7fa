import { floatAttr } from '../attrs.js';
import type { Attrs } from '../ir.js';
import { unaryRule } from '../kernels/elementwise.js';
import { makeTensor, toFloat64 } from '../tensor.js';
import { dy0, scalarLike } from './grad-util.js';
import type { OpRule } from './op-rule.js';

/** ONNX's defaults. */
const DEFAULT_LAMBD = 0.5;
const DEFAULT_BIAS = 0;

function params(attrs: Attrs): { lambd: number; bias: number } {
  return { lambd: floatAttr(attrs, 'lambd', DEFAULT_LAMBD), bias: floatAttr(attrs, 'bias', DEFAULT_BIAS) };
}

function shrunk(v: number, lambd: number, bias: number): number {
  if (v < -lambd) {
    return v + bias;
  }
  return v > lambd ? v - bias : 0;
}

const base = unaryRule('Shrink', (x) => x, null);

/** y = x + bias below -lambd, x - bias above lambd, 0 between; d = dy outside [-lambd, lambd]. */
export const shrink: OpRule = {
  ...base,
  evaluate: ([x], attrs) => {
    const { lambd, bias } = params(attrs);
    if (x === undefined) {
      throw new Error('Shrink: input 0 is missing');
    }
    return [makeTensor('float64', x.dims, toFloat64(x).map((v) => shrunk(v, lambd, bias)))];
  },
  grad: ({ b, x: [x = ''], dy, node }) => {
    const { lambd } = params(node.attrs);
    const outside = b.op('Greater', [b.op('Abs', [x]), scalarLike(b, x, lambd)]);
    return [b.op('Where', [outside, dy0(dy, 'Shrink'), scalarLike(b, x, 0)])];
  },
};
