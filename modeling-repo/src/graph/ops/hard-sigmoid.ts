import { floatAttr } from '../attrs.js';
import type { Attrs } from '../ir.js';
import { unaryRule } from '../kernels/elementwise.js';
import { makeTensor, toFloat64 } from '../tensor.js';
import type { OpRule } from './op-rule.js';
import { dy0, scalarLike } from './grad-util.js';

const DEFAULT_ALPHA = 0.2;
const DEFAULT_BETA = 0.5;

function params(attrs: Attrs): { alpha: number; beta: number } {
  return { alpha: floatAttr(attrs, 'alpha', DEFAULT_ALPHA), beta: floatAttr(attrs, 'beta', DEFAULT_BETA) };
}

const base = unaryRule('HardSigmoid', (x) => x, null);

/** y = clamp(alpha*x + beta, 0, 1); d = dy * alpha inside the linear part. */
export const hardSigmoid: OpRule = {
  ...base,
  evaluate: ([x], attrs) => {
    const { alpha, beta } = params(attrs);
    if (x === undefined) {
      throw new Error('HardSigmoid: input 0 is missing');
    }
    return [makeTensor('float64', x.dims, toFloat64(x).map((v) => Math.min(1, Math.max(0, alpha * v + beta))))];
  },
  grad: ({ b, x: [x = ''], dy, node }) => {
    const { alpha, beta } = params(node.attrs);
    const t = b.op('Add', [b.op('Mul', [x, scalarLike(b, x, alpha)]), scalarLike(b, x, beta)]);
    const inside = b.op('And', [b.op('Greater', [t, scalarLike(b, x, 0)]), b.op('Less', [t, scalarLike(b, x, 1)])]);
    const g = b.op('Mul', [dy0(dy, 'HardSigmoid'), scalarLike(b, x, alpha)]);
    return [b.op('Where', [inside, g, scalarLike(b, x, 0)])];
  },
};
