import { intAttr } from '../attrs.js';
import type { Dim } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { stridedIndex } from '../kernels/movement.js';
import { need } from '../shape.js';
import { gatherElements, normAxis, toNumbers } from '../tensor.js';
import type { OpRule } from './op-rule.js';

/** Split with sizes given as the second input (opset 13); the sizes must be a known constant. */
export const split: OpRule = {
  op: 'Split',
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'Split');
    const sizes = inputs[1]?.value;
    if (sizes === undefined) {
      throw new Error('Split: the split sizes must be a known constant input');
    }
    const axis = normAxis(intAttr(attrs, 'axis', 0), x.shape.length, 'Split');
    return toNumbers(sizes).map((s) => {
      const shape: Dim[] = [...x.shape];
      shape[axis] = s;
      return { dtype: x.dtype, shape };
    });
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Split');
    const axis = normAxis(intAttr(attrs, 'axis', 0), x.dims.length, 'Split');
    let offset = 0;
    return toNumbers(present(inputs, 1, 'Split')).map((s) => {
      const dims = [...x.dims];
      dims[axis] = s;
      const start = dims.map((_, d) => (d === axis ? offset : 0));
      offset += s;
      return gatherElements(x, dims, stridedIndex(x.dims, dims, start, dims.map(() => 1)));
    });
  },
  grad: ({ b, node, dy, y }) => {
    const parts = dy.map((g, i) => g ?? b.op('Mul', [y[i] ?? '', b.scalar(0, b.info(y[i] ?? '').dtype)]));
    return [b.op('Concat', parts, { axis: { kind: 'int', value: intAttr(node.attrs, 'axis', 0) } }), null];
  },
};
