import { stringAttr } from '../attrs.js';
import type { Dim } from '../ir.js';
import { numel } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { forEachCoord } from '../kernels/movement.js';
import { mapDim, need } from '../shape.js';
import { makeTensor, refDType, stridesOf, toFloat64, toNumbers } from '../tensor.js';
import { dy0 } from './grad-util.js';
import type { OpRule } from './op-rule.js';

function padded(shape: readonly Dim[], pads: readonly number[]): Dim[] {
  const r = shape.length;
  return shape.map((d, i) => mapDim(d, (n) => n + (pads[i] ?? 0) + (pads[i + r] ?? 0)));
}

function padsOf(t: Parameters<typeof toNumbers>[0] | undefined): number[] {
  if (t === undefined) {
    throw new Error('Pad: pads must be a known constant');
  }
  return toNumbers(t);
}

/** Source coordinate for a padded coordinate, or -1 for the constant fill. */
function source(c: number, size: number, mode: string): number {
  if (c >= 0 && c < size) {
    return c;
  }
  if (mode === 'edge') {
    return Math.min(size - 1, Math.max(0, c));
  }
  if (mode === 'reflect') {
    const period = 2 * (size - 1);
    const m = ((c % period) + period) % period;
    return m < size ? m : period - m;
  }
  return -1;
}

/** Pad (opset 11+: pads, constant value as inputs); modes constant, edge, reflect. */
export const pad: OpRule = {
  op: 'Pad',
  infer: (inputs) => {
    const x = need(inputs, 0, 'Pad');
    return [{ dtype: x.dtype, shape: padded(x.shape, padsOf(inputs[1]?.value)) }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Pad');
    const pads = padsOf(inputs[1]);
    const fill = inputs[2] === undefined ? 0 : (toFloat64(inputs[2])[0] ?? 0);
    const mode = stringAttr(attrs, 'mode', 'constant');
    const dims = padded(x.dims, pads).map(Number);
    const xv = toFloat64(x);
    const strides = stridesOf(x.dims);
    const out = new Float64Array(numel(dims));
    forEachCoord(dims, (i, c) => {
      let src = 0;
      for (let d = 0; d < c.length && src >= 0; d++) {
        const s = source((c[d] ?? 0) - (pads[d] ?? 0), x.dims[d] ?? 1, mode);
        src = s < 0 ? -1 : src + s * (strides[d] ?? 0);
      }
      out[i] = src < 0 ? fill : (xv[src] ?? 0);
    });
    return [makeTensor(refDType(x.dtype), dims, out)];
  },
  /** Constant padding: the gradient is the interior, cut out with one Slice. */
  grad: ({ b, node, x: [x = '', padsName = ''], dy }) => {
    if (stringAttr(node.attrs, 'mode', 'constant') !== 'constant') {
      throw new Error('Pad gradient supports constant mode only');
    }
    const pads = padsOf(b.valueOf(padsName));
    const shape = b.info(x).shape;
    const r = shape.length;
    const starts = pads.slice(0, r);
    const ends = shape.map((d, i) => (starts[i] ?? 0) + Number(d));
    const g = b.op('Slice', [dy0(dy, 'Pad'), b.int64s(starts), b.int64s(ends)]);
    return [g, null, null];
  },
};
