import { tensorAttr } from '../attrs.js';
import type { OpRule } from './op-rule.js';

/** A Constant node holding a tensor attribute (importers usually turn these into initializers). */
export const constant: OpRule = {
  op: 'Constant',
  infer: (_inputs, attrs) => {
    const t = tensorAttr(attrs, 'value');
    return [{ dtype: t.dtype, shape: t.dims, value: t }];
  },
  evaluate: (_inputs, attrs) => [tensorAttr(attrs, 'value')],
  grad: null,
};
