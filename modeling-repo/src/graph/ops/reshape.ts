import { intAttr } from '../attrs.js';
import type { Dim, Tensor } from '../ir.js';
import { numel } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { isStatic, need, productOf, showShape, UNKNOWN_DIM } from '../shape.js';
import { toNumbers } from '../tensor.js';
import { dy0, reshapeTo } from './grad-util.js';
import type { OpRule } from './op-rule.js';

/** Resolves 0 (copy, unless allowzero) and one -1 (inferred) in a target shape. */
export function resolveReshape(input: readonly Dim[], target: readonly number[], allowZero: boolean): Dim[] {
  const out: Dim[] = target.map((t, i) => (t === 0 && !allowZero ? (input[i] ?? UNKNOWN_DIM) : t));
  const minus = out.indexOf(-1);
  if (minus < 0) {
    return out;
  }
  const known = out.filter((_, i) => i !== minus);
  const total = productOf(input);
  if (typeof total !== 'number' || !isStatic(known)) {
    out[minus] = UNKNOWN_DIM;
    return out;
  }
  const rest = numel(known);
  if (rest === 0 || total % rest !== 0) {
    throw new Error(`cannot reshape ${showShape(input)} to ${showShape(target)}`);
  }
  out[minus] = total / rest;
  return out;
}

function shapeValue(t: Tensor | undefined): number[] {
  if (t === undefined) {
    throw new Error('Reshape: the target shape must be a known constant');
  }
  return toNumbers(t);
}

export const reshape: OpRule = {
  op: 'Reshape',
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'Reshape');
    const shape = resolveReshape(x.shape, shapeValue(inputs[1]?.value), intAttr(attrs, 'allowzero', 0) === 1);
    const total = productOf(x.shape);
    if (isStatic(shape) && typeof total === 'number' && numel(shape) !== total) {
      throw new Error(`cannot reshape ${showShape(x.shape)} to ${showShape(shape)}`);
    }
    return [{ dtype: x.dtype, shape }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Reshape');
    const dims = resolveReshape(x.dims, shapeValue(inputs[1]), intAttr(attrs, 'allowzero', 0) === 1);
    return [{ dtype: x.dtype, dims: dims.map(Number), data: x.data }];
  },
  grad: ({ b, x: [x = ''], dy }) => [reshapeTo(b, dy0(dy, 'Reshape'), b.info(x).shape), null],
};
