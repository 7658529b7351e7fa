import type { OpRule } from './op-rule.js';
import { padSpatial, tap, taps } from './conv-grad.js';
import { dy0 } from './grad-util.js';
import { evaluatePool, inferPool, poolGeometry, poolShapes, scatterTaps } from './pool-common.js';

/** Below any activation: padding that can never be a window's maximum. */
const LOWEST = -3.4e38;

export const maxPool: OpRule = {
  op: 'MaxPool',
  infer: (inputs, attrs) => inferPool('MaxPool', inputs, attrs),
  evaluate: (inputs, attrs) => evaluatePool('MaxPool', inputs, attrs, (v) => Math.max(...v)),
  /**
   * dy goes to the input(s) equal to the window maximum: per tap, Equal(x at tap, y) selects dy,
   * and one ConvTranspose scatters all taps back. Exact ties share dy (each gets it in full).
   */
  grad: ({ b, node, x: [x = ''], y: [y = ''], dy }) => {
    const g0 = dy0(dy, 'MaxPool');
    const g = poolGeometry('MaxPool', node.attrs, b.info(x).shape.slice(2));
    const s = poolShapes(b, x, y, g);
    const dtype = b.info(x).dtype;
    const xPad = padSpatial(b, x, g, 4, b.scalar(LOWEST, dtype));
    const zero = b.scalar(0, dtype);
    const parts = taps(g).map((ij) => {
      const hit = b.op('Where', [b.op('Equal', [tap(b, xPad, g, s, ij), y]), g0, zero]);
      return b.op('Unsqueeze', [hit, b.int64s([2])]);
    });
    const stacked = parts.length === 1 ? (parts[0] ?? '') : b.op('Concat', parts, { axis: { kind: 'int', value: 2 } });
    const [n = 1, c = 1, oh = 1, ow = 1] = s.y;
    const perTap = b.op('Reshape', [stacked, b.int64s([n, c * parts.length, oh, ow])]);
    return [scatterTaps(b, perTap, g, s)];
  },
};
