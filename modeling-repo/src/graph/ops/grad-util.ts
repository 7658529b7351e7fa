/** Building blocks shared by gradient rules. */
import type { GraphBuilder } from '../builder.js';
import type { Dim } from '../ir.js';
import { showShape } from '../shape.js';

/**
 * Sums a broadcast gradient back to the shape of the input it came from (numpy broadcasting
 * run backwards): leading extra axes are summed away, size-1 axes are summed with keepdims.
 */
export function sumToShape(b: GraphBuilder, grad: string, target: readonly Dim[]): string {
  const shape = b.info(grad).shape;
  const lead = shape.length - target.length;
  if (lead < 0) {
    throw new Error(`cannot sum gradient of shape ${showShape(shape)} to ${showShape(target)}`);
  }
  let g = grad;
  if (lead > 0) {
    const axes = Array.from({ length: lead }, (_, i) => i);
    g = b.op('ReduceSum', [g, b.int64s(axes)], { keepdims: { kind: 'int', value: 0 } });
  }
  const axes = target.flatMap((d, i) => (d === 1 && shape[i + lead] !== 1 ? [i] : []));
  if (axes.length > 0) {
    g = b.op('ReduceSum', [g, b.int64s(axes)], { keepdims: { kind: 'int', value: 1 } });
  }
  return g;
}

/** The dtype-matched zero scalar for a value (gradients are built in the forward pass's float type). */
export function zeroLike(b: GraphBuilder, value: string): string {
  return b.scalar(0, b.info(value).dtype);
}

export function scalarLike(b: GraphBuilder, value: string, x: number): string {
  return b.scalar(x, b.info(value).dtype);
}

/** Reshape to a static shape (symbolic dims are kept with 0, which copies the input's dim). */
export function reshapeTo(b: GraphBuilder, value: string, shape: readonly Dim[]): string {
  const dims = shape.map((d) => (typeof d === 'number' ? d : 0));
  return b.op('Reshape', [value, b.int64s(dims)]);
}

/** Requires the gradient of output 0, which the autodiff always supplies when it calls a rule. */
export function dy0(dy: readonly (string | null)[], op: string): string {
  const g = dy[0];
  if (g === undefined || g === null) {
    throw new Error(`${op}: no gradient for output 0`);
  }
  return g;
}
