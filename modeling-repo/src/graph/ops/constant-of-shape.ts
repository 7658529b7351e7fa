import { numel } from '../ir.js';
import type { Attrs, Tensor } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { makeTensor, refDType, toFloat64, toNumbers } from '../tensor.js';
import type { OpRule } from './op-rule.js';

function fill(attrs: Attrs): Tensor {
  const v = attrs.value;
  return v?.kind === 'tensor' ? v.value : makeTensor('float32', [1], [0]);
}

export const constantOfShape: OpRule = {
  op: 'ConstantOfShape',
  infer: (inputs, attrs) => {
    const shape = inputs[0]?.value;
    if (shape === undefined) {
      throw new Error('ConstantOfShape: the shape must be a known constant');
    }
    return [{ dtype: fill(attrs).dtype, shape: toNumbers(shape) }];
  },
  evaluate: (inputs, attrs) => {
    const dims = toNumbers(present(inputs, 0, 'ConstantOfShape'));
    const f = fill(attrs);
    return [makeTensor(refDType(f.dtype), dims, new Float64Array(numel(dims)).fill(toFloat64(f)[0] ?? 0))];
  },
  grad: null,
};
