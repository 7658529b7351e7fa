import { intAttr } from '../attrs.js';
import { poolWindows } from '../kernels/pool.js';
import { makeTensor } from '../tensor.js';
import { inputGrad } from './conv-grad.js';
import { dy0 } from './grad-util.js';
import type { OpRule } from './op-rule.js';
import { evaluatePool, inferPool, poolGeometry, poolShapes } from './pool-common.js';

export const averagePool: OpRule = {
  op: 'AveragePool',
  infer: (inputs, attrs) => inferPool('AveragePool', inputs, attrs),
  evaluate: (inputs, attrs) => {
    const includePad = intAttr(attrs, 'count_include_pad', 0) === 1;
    return evaluatePool('AveragePool', inputs, attrs, (v, padded) => v.reduce((a, x) => a + x, 0) / (v.length + (includePad ? padded : 0)));
  },
  /** dy divided by each window's count, spread back with a depthwise ConvTranspose of ones. */
  grad: ({ b, node, x: [x = ''], y: [y = ''], dy }) => {
    const g = poolGeometry('AveragePool', node.attrs, b.info(x).shape.slice(2));
    const s = poolShapes(b, x, y, g);
    const dtype = b.info(x).dtype;
    const [, c = 1, h = 1, w = 1] = s.x;
    const [oh = 1, ow = 1] = s.y.slice(2);
    const counts = new Float64Array(oh * ow);
    const includePad = intAttr(node.attrs, 'count_include_pad', 0) === 1;
    poolWindows({ n: 1, c: 1, h, w, oh, ow }, g, (yi, xs, padded) => {
      counts[yi] = 1 / (xs.length + (includePad ? padded : 0));
    });
    const scaled = b.op('Mul', [dy0(dy, 'AveragePool'), b.constant(makeTensor(dtype, [1, 1, oh, ow], counts), 'pool_counts')]);
    const k = g.kernel[0] * g.kernel[1];
    const ones = b.constant(makeTensor(dtype, [c, 1, ...g.kernel], new Float64Array(c * k).fill(1)), 'pool_ones');
    return [inputGrad(b, scaled, ones, { ...g, group: c }, s)];
  },
};
