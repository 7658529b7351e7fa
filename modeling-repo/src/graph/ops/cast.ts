import { intAttr } from '../attrs.js';
import { dtypeFromOnnx, ONNX_DTYPE } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { need } from '../shape.js';
import { isFloat, makeTensor, refDType, toFloat64 } from '../tensor.js';
import { dy0 } from './grad-util.js';
import type { OpRule } from './op-rule.js';

export const cast: OpRule = {
  op: 'Cast',
  infer: (inputs, attrs) => [{ dtype: dtypeFromOnnx(intAttr(attrs, 'to')), shape: need(inputs, 0, 'Cast').shape }],
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Cast');
    return [makeTensor(refDType(dtypeFromOnnx(intAttr(attrs, 'to'))), x.dims, toFloat64(x))];
  },
  /** Gradient flows only between float types; it is cast back to the input's type. */
  grad: ({ b, x: [x = ''], y: [y = ''], dy }) => {
    const from = b.info(x).dtype;
    if (!isFloat(from) || !isFloat(b.info(y).dtype)) {
      return [null];
    }
    return [b.op('Cast', [dy0(dy, 'Cast')], { to: { kind: 'int', value: ONNX_DTYPE[from] } })];
  },
};
