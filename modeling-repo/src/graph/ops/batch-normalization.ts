import { floatAttr } from '../attrs.js';
import type { GraphBuilder } from '../builder.js';
import { present } from '../kernels/elementwise.js';
import { need } from '../shape.js';
import { makeTensor, refDType, toFloat64 } from '../tensor.js';
import { dy0 } from './grad-util.js';
import type { OpRule } from './op-rule.js';

const DEFAULT_EPSILON = 1e-5;

/** A [C] per-channel value reshaped to broadcast over [N, C, H, W]. */
function perChannel(b: GraphBuilder, v: string, rank: number): string {
  return b.op('Reshape', [v, b.int64s([-1, ...new Array<number>(rank - 2).fill(1)])]);
}

/**
 * BatchNormalization in inference mode (frozen statistics): y = scale * (x - mean) / sqrt(var + eps) + B.
 * Gradients flow to x, scale and B; the running statistics are constants.
 */
export const batchNormalization: OpRule = {
  op: 'BatchNormalization',
  infer: (inputs) => {
    const x = need(inputs, 0, 'BatchNormalization');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  evaluate: (inputs, attrs) => {
    const [x, scale, bias, mean, variance] = [0, 1, 2, 3, 4].map((i) => present(inputs, i, 'BatchNormalization'));
    if (x === undefined || scale === undefined || bias === undefined || mean === undefined || variance === undefined) {
      throw new Error('BatchNormalization: needs five inputs');
    }
    const eps = floatAttr(attrs, 'epsilon', DEFAULT_EPSILON);
    const [sv, bv, mv, vv] = [scale, bias, mean, variance].map(toFloat64);
    const c = x.dims[1] ?? 1;
    const area = x.dims.slice(2).reduce((p, d) => p * d, 1);
    const out = toFloat64(x).map((v, i) => {
      const ch = Math.floor(i / area) % c;
      return ((sv?.[ch] ?? 1) * (v - (mv?.[ch] ?? 0))) / Math.sqrt((vv?.[ch] ?? 1) + eps) + (bv?.[ch] ?? 0);
    });
    return [makeTensor(refDType(x.dtype), x.dims, out)];
  },
  grad: ({ b, node, x: [x = '', scale = '', , mean = '', variance = ''], dy, needs }) => {
    const g = dy0(dy, 'BatchNormalization');
    const rank = b.info(x).shape.length;
    const eps = b.scalar(floatAttr(node.attrs, 'epsilon', DEFAULT_EPSILON), b.info(x).dtype);
    const invStd = b.op('Reciprocal', [b.op('Sqrt', [b.op('Add', [variance, eps])])]);
    const axes = b.int64s([0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)]);
    const noKeep = { keepdims: { kind: 'int', value: 0 } } as const;
    const dx = needs[0] === true ? b.op('Mul', [g, perChannel(b, b.op('Mul', [scale, invStd]), rank)]) : null;
    let dScale: string | null = null;
    if (needs[1] === true) {
      const xhat = b.op('Mul', [b.op('Sub', [x, perChannel(b, mean, rank)]), perChannel(b, invStd, rank)]);
      dScale = b.op('ReduceSum', [b.op('Mul', [g, xhat]), axes], noKeep);
    }
    const dBias = needs[2] === true ? b.op('ReduceSum', [g, axes], noKeep) : null;
    return [dx, dScale, dBias, null, null];
  },
};
