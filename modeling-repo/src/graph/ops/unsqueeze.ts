import type { Dim, Tensor } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { need } from '../shape.js';
import { normAxis, toNumbers } from '../tensor.js';
import { dy0, reshapeTo } from './grad-util.js';
import type { OpRule } from './op-rule.js';

function axesOf(t: Tensor | undefined, attrAxes: readonly number[] | undefined, op: string): number[] {
  if (t !== undefined) {
    return toNumbers(t);
  }
  if (attrAxes !== undefined) {
    return [...attrAxes];
  }
  throw new Error(`${op}: axes must be a known constant`);
}

export function unsqueezeShape(shape: readonly Dim[], axes: readonly number[]): Dim[] {
  const rank = shape.length + axes.length;
  const at = new Set(axes.map((a) => normAxis(a, rank, 'Unsqueeze')));
  const rest = [...shape];
  return Array.from({ length: rank }, (_, i) => (at.has(i) ? 1 : (rest.shift() ?? 1)));
}

function attrAxes(attrs: Parameters<OpRule['infer']>[1]): readonly number[] | undefined {
  const a = attrs.axes;
  return a?.kind === 'ints' ? a.value : undefined;
}

export const unsqueeze: OpRule = {
  op: 'Unsqueeze',
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'Unsqueeze');
    return [{ dtype: x.dtype, shape: unsqueezeShape(x.shape, axesOf(inputs[1]?.value, attrAxes(attrs), 'Unsqueeze')) }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Unsqueeze');
    const dims = unsqueezeShape(x.dims, axesOf(inputs[1], attrAxes(attrs), 'Unsqueeze')).map(Number);
    return [{ ...x, dims }];
  },
  grad: ({ b, x: [x = ''], dy }) => [reshapeTo(b, dy0(dy, 'Unsqueeze'), b.info(x).shape), null],
};

export { axesOf, attrAxes };
