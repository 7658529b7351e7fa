/** Reference reduction over a set of axes. */
import { numel } from '../ir.js';
import { stridesOf } from '../tensor.js';
import { forEachCoord } from './movement.js';

export interface Reduced {
  readonly dims: number[];
  readonly keptDims: number[];
  readonly values: Float64Array;
  readonly counts: number;
}

export function reduceAxes(
  data: Float64Array,
  dims: readonly number[],
  axes: readonly number[],
  combine: (acc: number, v: number) => number,
  init: number,
): Reduced {
  const axisSet = new Set(axes);
  const keptDims = dims.map((d, i) => (axisSet.has(i) ? 1 : d));
  const outStrides = stridesOf(keptDims);
  const values = new Float64Array(numel(keptDims)).fill(init);
  forEachCoord(dims, (i, c) => {
    let o = 0;
    c.forEach((v, d) => {
      if (!axisSet.has(d)) {
        o += v * (outStrides[d] ?? 0);
      }
    });
    values[o] = combine(values[o] ?? init, data[i] ?? 0);
  });
  return {
    dims: dims.filter((_, i) => !axisSet.has(i)),
    keptDims,
    values,
    counts: numel(dims) / Math.max(1, numel(keptDims)),
  };
}
