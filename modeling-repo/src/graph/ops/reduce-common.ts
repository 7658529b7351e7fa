/** Shared parts of ReduceSum and ReduceMean: axes (input or attribute), keepdims, and the gradient. */
import { intAttr } from '../attrs.js';
import type { GraphBuilder } from '../builder.js';
import type { Attrs, Dim, Tensor } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { reduceAxes } from '../kernels/reduce.js';
import { need, staticShape } from '../shape.js';
import { makeTensor, normAxis, refDType, toFloat64, toNumbers } from '../tensor.js';
import { reshapeTo } from './grad-util.js';
import type { GradFn, OpRule } from './op-rule.js';

function axesFrom(op: string, rank: number, attrs: Attrs, axesInput: Tensor | undefined, given: boolean): number[] {
  const attrAxes = attrs.axes;
  let axes: number[] | undefined;
  if (attrAxes?.kind === 'ints') {
    axes = [...attrAxes.value];
  } else if (given) {
    if (axesInput === undefined) {
      throw new Error(`${op}: axes must be a known constant`);
    }
    axes = toNumbers(axesInput);
  }
  if (axes === undefined || axes.length === 0) {
    return intAttr(attrs, 'noop_with_empty_axes', 0) === 1 ? [] : Array.from({ length: rank }, (_, i) => i);
  }
  return axes.map((a) => normAxis(a, rank, op));
}

function reducedShape(shape: readonly Dim[], axes: readonly number[], keep: boolean): Dim[] {
  return keep ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Broadcasts dy back over the reduced axes: reshape to the keepdims shape, then Expand. */
function spread(b: GraphBuilder, dy: string, x: string, axes: readonly number[]): string {
  const shape = staticShape(b.info(x).shape, 'reduction gradient');
  const kept = reducedShape(shape, axes, true);
  const g = b.info(dy).shape.length === kept.length ? dy : reshapeTo(b, dy, kept);
  return b.op('Expand', [g, b.int64s(shape)]);
}

export function reduceRule(op: string, mean: boolean): OpRule {
  const grad: GradFn = ({ b, node, x: [x = '', axesName = ''], dy: [dy = null] }) => {
    if (dy === null) {
      return [null, null];
    }
    const rank = b.info(x).shape.length;
    const axes = axesFrom(op, rank, node.attrs, b.valueOf(axesName), axesName !== '');
    const g = spread(b, dy, x, axes);
    if (!mean) {
      return [g, null];
    }
    const count = axes.reduce((s, a) => s * Number(b.info(x).shape[a]), 1);
    return [b.op('Mul', [g, b.scalar(1 / count, b.info(x).dtype)]), null];
  };
  return {
    op,
    infer: (inputs, attrs) => {
      const x = need(inputs, 0, op);
      const axes = axesFrom(op, x.shape.length, attrs, inputs[1]?.value, inputs[1] !== undefined);
      return [{ dtype: x.dtype, shape: reducedShape(x.shape, axes, intAttr(attrs, 'keepdims', 1) === 1) }];
    },
    evaluate: (inputs, attrs) => {
      const x = present(inputs, 0, op);
      const axes = axesFrom(op, x.dims.length, attrs, inputs[1], inputs[1] !== undefined);
      const r = reduceAxes(toFloat64(x), x.dims, axes, (a, v) => a + v, 0);
      const values = mean ? r.values.map((v) => v / r.counts) : r.values;
      const dims = intAttr(attrs, 'keepdims', 1) === 1 ? r.keptDims : r.dims;
      return [makeTensor(refDType(x.dtype), dims, values)];
    },
    grad,
  };
}
