import { present } from '../kernels/elementwise.js';
import { need } from '../shape.js';
import { makeTensor, refDType, toFloat64 } from '../tensor.js';
import { dy0, scalarLike } from './grad-util.js';
import type { OpRule } from './op-rule.js';

/** Clip with min and max as optional inputs (opset 13). */
export const clip: OpRule = {
  op: 'Clip',
  infer: (inputs) => {
    const x = need(inputs, 0, 'Clip');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  evaluate: (inputs) => {
    const x = present(inputs, 0, 'Clip');
    const lo = inputs[1] === undefined ? -Infinity : (toFloat64(inputs[1])[0] ?? -Infinity);
    const hi = inputs[2] === undefined ? Infinity : (toFloat64(inputs[2])[0] ?? Infinity);
    return [makeTensor(refDType(x.dtype), x.dims, toFloat64(x).map((v) => Math.min(hi, Math.max(lo, v))))];
  },
  /** dy passes where min < x < max (ReLU6: 0 < x < 6). */
  grad: ({ b, x: [x = '', lo = '', hi = ''], dy }) => {
    const masks = [lo === '' ? null : b.op('Greater', [x, lo]), hi === '' ? null : b.op('Less', [x, hi])].filter(
      (m): m is string => m !== null,
    );
    const g = dy0(dy, 'Clip');
    const [first, second] = masks;
    if (first === undefined) {
      return [g, null, null];
    }
    const mask = second === undefined ? first : b.op('And', [first, second]);
    return [b.op('Where', [mask, g, scalarLike(b, g, 0)]), null, null];
  },
};
