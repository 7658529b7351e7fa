import type { Dim } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { need, showShape } from '../shape.js';
import { normAxis } from '../tensor.js';
import { dy0, reshapeTo } from './grad-util.js';
import type { OpRule } from './op-rule.js';
import { attrAxes, axesOf } from './unsqueeze.js';

function squeezeShape(shape: readonly Dim[], axes: readonly number[] | undefined): Dim[] {
  if (axes === undefined) {
    return shape.filter((d) => d !== 1);
  }
  const drop = new Set(axes.map((a) => normAxis(a, shape.length, 'Squeeze')));
  for (const a of drop) {
    if (shape[a] !== 1) {
      throw new Error(`Squeeze: axis ${a} of ${showShape(shape)} is not 1`);
    }
  }
  return shape.filter((_, i) => !drop.has(i));
}

function maybeAxes(t: Parameters<typeof axesOf>[0], attrs: Parameters<OpRule['infer']>[1], given: boolean): number[] | undefined {
  return given || attrAxes(attrs) !== undefined ? axesOf(t, attrAxes(attrs), 'Squeeze') : undefined;
}

export const squeeze: OpRule = {
  op: 'Squeeze',
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'Squeeze');
    return [{ dtype: x.dtype, shape: squeezeShape(x.shape, maybeAxes(inputs[1]?.value, attrs, inputs[1] !== undefined)) }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Squeeze');
    return [{ ...x, dims: squeezeShape(x.dims, maybeAxes(inputs[1], attrs, inputs[1] !== undefined)).map(Number) }];
  },
  grad: ({ b, x: [x = ''], dy }) => [reshapeTo(b, dy0(dy, 'Squeeze'), b.info(x).shape), null],
};
