import { numel } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { forEachCoord } from '../kernels/movement.js';
import { mapDim, need } from '../shape.js';
import { gatherElements, stridesOf, toNumbers } from '../tensor.js';
import type { OpRule } from './op-rule.js';

export const tile: OpRule = {
  op: 'Tile',
  infer: (inputs) => {
    const x = need(inputs, 0, 'Tile');
    const reps = inputs[1]?.value;
    if (reps === undefined) {
      throw new Error('Tile: repeats must be a known constant');
    }
    const r = toNumbers(reps);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => mapDim(d, (n) => n * (r[i] ?? 1))) }];
  },
  evaluate: (inputs) => {
    const x = present(inputs, 0, 'Tile');
    const r = toNumbers(present(inputs, 1, 'Tile'));
    const dims = x.dims.map((d, i) => d * (r[i] ?? 1));
    const strides = stridesOf(x.dims);
    const index = new Int32Array(numel(dims));
    forEachCoord(dims, (i, c) => {
      index[i] = c.reduce((s, v, d) => s + (v % (x.dims[d] ?? 1)) * (strides[d] ?? 0), 0);
    });
    return [gatherElements(x, dims, index)];
  },
  grad: null,
};
