/** Shape inference helpers over `Dim` (a number, or a name for a symbolic dimension such as the batch). */
import type { DType, Dim } from './ir.js';
import { numel } from './ir.js';

/** A dimension whose value cannot be known statically (it depends on a symbolic one). */
export const UNKNOWN_DIM = '?';

export function showShape(shape: readonly Dim[]): string {
  return `[${shape.join(',')}]`;
}

export function isStatic(shape: readonly Dim[]): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

/** The shape as numbers; throws naming `what` when a dimension is symbolic. */
export function staticShape(shape: readonly Dim[], what: string): number[] {
  if (!isStatic(shape)) {
    throw new Error(`${what}: needs a static shape, got ${showShape(shape)}`);
  }
  return [...shape];
}

/** Numpy broadcasting of two shapes with symbolic dims: 1 yields to anything, equal names match. */
export function broadcastDims(a: readonly Dim[], b: readonly Dim[], op: string): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    out.push(broadcastDim(x, y, () => `${op}: shapes ${showShape(a)} and ${showShape(b)} do not broadcast`));
  }
  return out;
}

function broadcastDim(x: Dim, y: Dim, message: () => string): Dim {
  if (x === y || y === 1) {
    return x;
  }
  if (x === 1) {
    return y;
  }
  if (typeof x === 'string') {
    return y;
  }
  if (typeof y === 'string') {
    return x;
  }
  throw new Error(message());
}

/** Applies `f` to a dim when it is a number; a symbolic dim becomes unknown. */
export function mapDim(d: Dim, f: (n: number) => number): Dim {
  return typeof d === 'number' ? f(d) : UNKNOWN_DIM;
}

export function productOf(shape: readonly Dim[]): Dim {
  const dims = shape.filter((d) => d !== 1);
  if (dims.length === 1 && dims[0] !== undefined) {
    return dims[0];
  }
  return isStatic(shape) ? numel(shape) : UNKNOWN_DIM;
}

export function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Requires an input to be present (not omitted, known); names the op and input index. */
export function need<T extends { readonly dtype: DType; readonly shape: readonly Dim[] }>(
  inputs: readonly (T | undefined)[],
  index: number,
  op: string,
): T {
  const v = inputs[index];
  if (v === undefined) {
    throw new Error(`${op}: input ${index} is missing`);
  }
  return v;
}
