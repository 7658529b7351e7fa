import { intAttr } from '../attrs.js';
import type { Dim } from '../ir.js';
import { numel } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { forEachCoord } from '../kernels/movement.js';
import { need } from '../shape.js';
import { gatherElements, normAxis, stridesOf, toNumbers } from '../tensor.js';
import type { OpRule } from './op-rule.js';

/** Gather along an axis (indices of any rank). No gradient: used for shape arithmetic. */
export const gather: OpRule = {
  op: 'Gather',
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'Gather');
    const idx = need(inputs, 1, 'Gather');
    const axis = normAxis(intAttr(attrs, 'axis', 0), x.shape.length, 'Gather');
    const shape: Dim[] = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
    return [{ dtype: x.dtype, shape }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Gather');
    const idxT = present(inputs, 1, 'Gather');
    const axis = normAxis(intAttr(attrs, 'axis', 0), x.dims.length, 'Gather');
    const idx = toNumbers(idxT).map((i) => (i < 0 ? i + (x.dims[axis] ?? 0) : i));
    const dims = [...x.dims.slice(0, axis), ...idxT.dims, ...x.dims.slice(axis + 1)];
    const strides = stridesOf(x.dims);
    const index = new Int32Array(numel(dims));
    const k = idxT.dims.length;
    forEachCoord(dims, (i, c) => {
      let src = 0;
      for (let d = 0; d < axis; d++) {
        src += (c[d] ?? 0) * (strides[d] ?? 0);
      }
      const flat = c.slice(axis, axis + k).reduce((s, v, j) => s * (idxT.dims[j] ?? 1) + v, 0);
      src += (idx[flat] ?? 0) * (strides[axis] ?? 0);
      for (let d = axis + 1; d < x.dims.length; d++) {
        src += (c[d + k - 1] ?? 0) * (strides[d] ?? 0);
      }
      index[i] = src;
    });
    return [gatherElements(x, dims, index)];
  },
  grad: null,
};
