/** Index maps for data movement ops (transpose, slice, pad, concat): they work for every dtype. */
import { numel } from '../ir.js';
import { stridesOf } from '../tensor.js';

/** Calls `visit(flatIndex, coords)` for every element of `dims`, coords in row-major order. */
export function forEachCoord(dims: readonly number[], visit: (i: number, coords: readonly number[]) => void): void {
  const total = numel(dims);
  const coords = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < total; i++) {
    visit(i, coords);
    for (let d = dims.length - 1; d >= 0; d--) {
      coords[d] = (coords[d] ?? 0) + 1;
      if ((coords[d] ?? 0) < (dims[d] ?? 1)) {
        break;
      }
      coords[d] = 0;
    }
  }
}

export function transposeIndex(dims: readonly number[], perm: readonly number[]): { dims: number[]; index: Int32Array } {
  const outDims = perm.map((p) => dims[p] ?? 1);
  const inStrides = stridesOf(dims);
  const index = new Int32Array(numel(outDims));
  forEachCoord(outDims, (i, c) => {
    let src = 0;
    perm.forEach((p, d) => {
      src += (c[d] ?? 0) * (inStrides[p] ?? 0);
    });
    index[i] = src;
  });
  return { dims: outDims, index };
}

/** Picks input elements at `start[d] + coord * step[d]` on each axis. */
export function stridedIndex(
  dims: readonly number[],
  outDims: readonly number[],
  start: readonly number[],
  step: readonly number[],
): Int32Array {
  const inStrides = stridesOf(dims);
  const index = new Int32Array(numel(outDims));
  forEachCoord(outDims, (i, c) => {
    let src = 0;
    c.forEach((v, d) => {
      src += ((start[d] ?? 0) + v * (step[d] ?? 1)) * (inStrides[d] ?? 0);
    });
    index[i] = src;
  });
  return index;
}
