import { optionalInts } from '../attrs.js';
import type { Attrs } from '../ir.js';
import { present } from '../kernels/elementwise.js';
import { transposeIndex } from '../kernels/movement.js';
import { need } from '../shape.js';
import { gatherElements } from '../tensor.js';
import { dy0 } from './grad-util.js';
import type { OpRule } from './op-rule.js';

function permOf(attrs: Attrs, rank: number): readonly number[] {
  return optionalInts(attrs, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

export const transpose: OpRule = {
  op: 'Transpose',
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'Transpose');
    const perm = permOf(attrs, x.shape.length);
    if (perm.length !== x.shape.length) {
      throw new Error(`perm [${perm.join(',')}] does not match rank ${x.shape.length}`);
    }
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p] ?? 1) }];
  },
  evaluate: (inputs, attrs) => {
    const x = present(inputs, 0, 'Transpose');
    const { dims, index } = transposeIndex(x.dims, permOf(attrs, x.dims.length));
    return [gatherElements(x, dims, index)];
  },
  /** The inverse permutation undoes the transpose. */
  grad: ({ b, node, x: [x = ''], dy }) => {
    const perm = permOf(node.attrs, b.info(x).shape.length);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [b.op('Transpose', [dy0(dy, 'Transpose')], { perm: { kind: 'ints', value: inverse } })];
  },
};
